import NIOCore
import NIOWebSocket

/// Reassembles fragmented WebSocket data messages (RFC 6455 §5.4) inside the peer handler, in place of
/// NIO's `NIOWebSocketFrameAggregator`: an unfragmented frame, nearly every frame, passes with two
/// comparisons and no extra pipeline hop (issue 15, perf4). Same rules and limits as that handler: a
/// non-final fragment must carry at least one byte, at most `maximumFrameCount` fragments and
/// `maximumSize` bytes in all.
struct FragmentAssembler {
    /// Why a sequence of frames was refused.
    enum Failure: Error, Equatable {
        /// A non-final fragment was empty.
        case emptyFragment
        /// More than `maximumFrameCount` fragments.
        case tooManyFragments
        /// The fragments together exceed `maximumSize`.
        case tooLarge
        /// A new text or binary frame arrived before the fragmented one ended.
        case unfinishedMessage
        /// A continuation frame arrived with no fragmented message started.
        case continuationWithoutStart
    }

    /// What to do with one data or continuation frame.
    enum Outcome {
        /// A whole message: `frame` (still masked, when it is a single frame).
        case message(WebSocketFrame)
        /// A fragment was kept; nothing to deliver yet.
        case buffered
    }

    let maximumFrameCount: Int
    let maximumSize: Int
    private var fragments: [WebSocketFrame] = []
    private var size = 0

    init(maximumFrameCount: Int, maximumSize: Int) {
        self.maximumFrameCount = maximumFrameCount
        self.maximumSize = maximumSize
    }

    /// Takes a text, binary or continuation frame. After a failure the buffered fragments are dropped.
    mutating func take(_ frame: WebSocketFrame, allocator: ByteBufferAllocator) throws(Failure) -> Outcome {
        if frame.fin, frame.opcode != .continuation {
            guard fragments.isEmpty else { return try fail(.unfinishedMessage) }
            return .message(frame)
        }
        if frame.opcode == .continuation, fragments.isEmpty { return try fail(.continuationWithoutStart) }
        if frame.opcode != .continuation, !fragments.isEmpty { return try fail(.unfinishedMessage) }
        guard frame.fin || frame.length >= 1 else { return try fail(.emptyFragment) }
        // A non-final fragment needs room for at least one more.
        guard fragments.count < maximumFrameCount, frame.fin || fragments.count + 1 < maximumFrameCount else {
            return try fail(.tooManyFragments)
        }
        fragments.append(frame)
        size += frame.length
        guard size <= maximumSize else { return try fail(.tooLarge) }
        guard frame.fin else { return .buffered }
        var data = allocator.buffer(capacity: size)
        for fragment in fragments { fragment.unmaskPayload(appendingTo: &data) }
        let opcode = fragments[0].opcode
        reset()
        return .message(WebSocketFrame(fin: true, opcode: opcode, data: data))
    }

    private mutating func fail(_ failure: Failure) throws(Failure) -> Outcome {
        reset()
        throw failure
    }

    private mutating func reset() {
        fragments.removeAll(keepingCapacity: false)
        size = 0
    }
}
