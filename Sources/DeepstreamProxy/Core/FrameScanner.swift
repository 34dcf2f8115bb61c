import DeepstreamProtocol
import NIOCore

/// One WebSocket message (or control frame) seen in a forwarded byte stream.
package struct ScannedMessage: Hashable, Sendable {
    /// What the first frame's opcode said.
    package enum Kind: Hashable, Sendable {
        /// Opcode 2.
        case binary
        /// Opcode 1.
        case text
        /// Opcode 8; the payload holds the status code and reason.
        case close
        /// Opcode 9.
        case ping
        /// Opcode 10.
        case pong
        /// A reserved opcode (3–7, 11–15) or a continuation without a start.
        case other(UInt8)
    }

    /// The message kind.
    package var kind: Kind
    /// The unmasked payload as a view (a slice sharing the scanner's per-read buffer: one allocation per
    /// read, not per message); `nil` when it was larger than the observation limit or compressed.
    package var payloadBuffer: ByteBuffer?
    /// Bytes the message took on the wire, headers of every fragment included.
    package var wireBytes: Int
    /// Whether RSV1 (permessage-deflate) was set: the payload is not the message.
    package var compressed: Bool

    /// Creates a scanned message from payload bytes.
    package init(kind: Kind, payload: [UInt8]?, wireBytes: Int, compressed: Bool = false) {
        self.init(kind: kind, payloadBuffer: payload.map { ByteBuffer(bytes: $0) }, wireBytes: wireBytes, compressed: compressed)
    }

    /// Creates a scanned message from a payload view.
    package init(kind: Kind, payloadBuffer: ByteBuffer?, wireBytes: Int, compressed: Bool = false) {
        self.kind = kind
        self.payloadBuffer = payloadBuffer
        self.wireBytes = wireBytes
        self.compressed = compressed
    }

    /// The payload bytes (a copy; the observer reads ``payloadBuffer`` in place).
    package var payload: [UInt8]? { payloadBuffer.map { Array($0.readableBytesView) } }

    /// Status code and reason of a close frame (`nil` code when the frame has none).
    package var closeStatus: (code: UInt16?, reason: String) {
        guard kind == .close, let payload = payloadBuffer, payload.readableBytes >= 2,
            let code = payload.getInteger(at: payload.readerIndex, as: UInt16.self)
        else { return (nil, "") }
        return (code, payload.getString(at: payload.readerIndex + 2, length: payload.readableBytes - 2) ?? "")
    }
}

/// Follows one direction of a proxied connection and cuts it into WebSocket messages for observation
/// (pure; it sees a copy of what was already forwarded and never changes it).
///
/// Server to client, it first skips the HTTP response head and only starts reading frames after a
/// `101`. Fragmented messages are joined; control frames between fragments come out on their own.
/// Payloads beyond `observationLimit` are not kept (the message is still reported, without payload).
/// Bytes that cannot be frames switch the scanner off for the rest of the connection (`isLost`):
/// forwarding does not depend on it.
package struct FrameScanner: Sendable {
    /// Where in the stream the scanner is.
    package enum Mode: Hashable, Sendable {
        /// Waiting for the end of an HTTP response head (server to client, before the upgrade).
        case responseHead
        /// Reading WebSocket frames.
        case frames
        /// Plain HTTP or bytes that are not frames: nothing more is scanned.
        case opaque
    }

    /// The current mode.
    package private(set) var mode: Mode
    /// The status code of the response head, once seen.
    package private(set) var responseStatus: Int?
    /// Whether the stream stopped looking like WebSocket frames.
    package private(set) var isLost = false
    /// Whether a close frame has gone by.
    package private(set) var sawClose = false
    /// Largest payload kept for observation.
    package let observationLimit: Int

    private var headBytes: [UInt8] = []
    /// Header bytes of a frame whose header was split between two reads.
    private var header: [UInt8] = []
    private var remaining: UInt64 = 0
    private var inPayload = false
    private var mask: (UInt8, UInt8, UInt8, UInt8)?
    private var maskOffset = 0
    private var frameOpcode: UInt8 = 0
    private var frameFin = true
    private var frameWire = 0
    private var frameKeep = true
    private var frameCompressed = false
    /// Unmasked payload bytes of this read's frames; messages are slices of it, cut at the end of the
    /// read (a slice taken earlier would make every later write copy the buffer). A fresh one is
    /// started after every read that cut a message, so a slice never sees later writes.
    private var arena = ByteBuffer()
    /// Where the current frame's payload starts in `arena`.
    private var frameStart = 0
    /// Messages of this read whose payload is still to be cut from `arena`: index in the output, range.
    private var pendingSlices: [(index: Int, offset: Int, length: Int)] = []
    // The fragmented data message being joined (rare: copied, not sliced).
    private var messageKind: ScannedMessage.Kind?
    private var messagePayload: [UInt8] = []
    private var messageWire = 0
    private var messageKeep = true
    private var messageCompressed = false

    /// Creates a scanner starting in `mode`.
    package init(mode: Mode, observationLimit: Int = 1 << 20) {
        self.mode = mode
        self.observationLimit = observationLimit
    }

    /// Whether the stream is between two frames (a frame of our own could be inserted here).
    package var isAtFrameBoundary: Bool { mode == .frames && !inPayload && header.isEmpty && messageKind == nil }

    /// Whether the upgrade response has been seen (`101`).
    package var isUpgraded: Bool { responseStatus == 101 || (mode == .frames && responseStatus == nil) }

    /// Reads `bytes` and appends every message they complete to `messages`.
    package mutating func scan(_ bytes: UnsafeRawBufferPointer, into messages: inout [ScannedMessage]) {
        var index = 0
        let count = bytes.count
        if mode == .frames { arena.reserveCapacity(minimumWritableBytes: min(count, observationLimit)) }
        while index < count {
            switch mode {
            case .opaque:
                index = count
            case .responseHead:
                headBytes.append(bytes[index])
                index += 1
                if headBytes.count > 16 * 1024 {
                    mode = .opaque
                    isLost = true
                } else if headBytes.count >= 4, headBytes.suffix(4).elementsEqual([13, 10, 13, 10]) {
                    let statusLine = headBytes.prefix { $0 != 13 }
                    let parts = statusLine.split(separator: 32)
                    responseStatus = parts.count >= 2 ? Int(String(decoding: parts[1], as: UTF8.self)) : nil
                    mode = responseStatus == 101 ? .frames : .opaque
                    headBytes = []
                    if mode == .frames { arena.reserveCapacity(minimumWritableBytes: min(count - index, observationLimit)) }
                }
            case .frames:
                if inPayload {
                    let take = Int(min(UInt64(count - index), remaining))
                    if frameKeep { copyPayload(UnsafeRawBufferPointer(rebasing: bytes[index..<(index + take)])) }
                    index += take
                    remaining -= UInt64(take)
                    if remaining == 0 { finishFrame(into: &messages) }
                } else if header.isEmpty, let length = Self.headerLength(bytes, at: index), index + length <= count {
                    // The whole header is in this read: parsed in place.
                    let start = index
                    index += length
                    startFrame(UnsafeRawBufferPointer(rebasing: bytes[start..<index]), into: &messages)
                } else {
                    header.append(bytes[index])
                    index += 1
                    if let length = header.withUnsafeBytes({ Self.headerLength($0, at: 0) }), header.count == length {
                        let complete = header
                        header.removeAll(keepingCapacity: true)
                        complete.withUnsafeBytes { startFrame($0, into: &messages) }
                    }
                }
            }
        }
        guard !pendingSlices.isEmpty else { return }
        for pending in pendingSlices {
            messages[pending.index].payloadBuffer = arena.getSlice(at: pending.offset, length: pending.length)
        }
        pendingSlices.removeAll(keepingCapacity: true)
        startNewArena()
    }

    /// The length of the frame header starting at `index`, once its first two bytes are there.
    private static func headerLength(_ bytes: UnsafeRawBufferPointer, at index: Int) -> Int? {
        guard bytes.count - index >= 2 else { return nil }
        let second = bytes[index + 1]
        let shortLength = second & 0x7F
        return 2 + (shortLength == 126 ? 2 : shortLength == 127 ? 8 : 0) + (second & 0x80 != 0 ? 4 : 0)
    }

    private mutating func startFrame(_ header: UnsafeRawBufferPointer, into messages: inout [ScannedMessage]) {
        let needed = header.count
        let masked = header[1] & 0x80 != 0
        let shortLength = header[1] & 0x7F
        let lengthBytes = shortLength == 126 ? 2 : shortLength == 127 ? 8 : 0
        var length = UInt64(shortLength)
        if lengthBytes > 0 {
            length = 0
            for i in 0..<lengthBytes { length = length << 8 | UInt64(header[2 + i]) }
        }
        let opcode = header[0] & 0x0F
        let isControl = opcode & 0x08 != 0
        if length >> 63 != 0 || (isControl && (length > 125 || header[0] & 0x80 == 0)) {
            mode = .opaque
            isLost = true
            return
        }
        frameOpcode = opcode
        frameFin = header[0] & 0x80 != 0
        frameCompressed = header[0] & 0x40 != 0
        mask = masked ? (header[needed - 4], header[needed - 3], header[needed - 2], header[needed - 1]) : nil
        maskOffset = 0
        frameWire = needed + Int(clamping: length)
        frameKeep = length <= UInt64(observationLimit)
        frameStart = arena.writerIndex
        remaining = length
        if remaining == 0 { finishFrame(into: &messages) } else { inPayload = true }
    }

    /// Appends payload bytes to the arena, unmasking client frames.
    private mutating func copyPayload(_ source: UnsafeRawBufferPointer) {
        guard let mask else {
            arena.writeBytes(source)
            return
        }
        // Captured as a local: reading `self` inside the closure while `arena` is being written would
        // be checked at run time (swift_beginAccess per call).
        let offset = maskOffset
        arena.writeWithUnsafeMutableBytes(minimumWritableBytes: source.count) { target in
            WebSocketMask.apply(mask, to: source, into: target, offset: offset)
            return source.count
        }
        maskOffset += source.count
    }

    /// Appends a message whose payload is the current frame's (cut from the arena at the end of the read).
    private mutating func appendWithFramePayload(
        _ kind: ScannedMessage.Kind, keep: Bool, compressed: Bool = false, into messages: inout [ScannedMessage]
    ) {
        if keep && frameKeep {
            pendingSlices.append((messages.count, frameStart, arena.writerIndex - frameStart))
        }
        messages.append(ScannedMessage(kind: kind, payloadBuffer: nil, wireBytes: frameWire, compressed: compressed))
    }

    /// Starts a fresh arena after messages were cut from the old one, keeping a frame still being read.
    private mutating func startNewArena() {
        var fresh = ByteBuffer()
        if inPayload, frameKeep, arena.writerIndex > frameStart {
            fresh.writeBytes(arena.readableBytesView[frameStart...])
        }
        arena = fresh
        frameStart = 0
    }

    private mutating func finishFrame(into messages: inout [ScannedMessage]) {
        inPayload = false
        switch frameOpcode {
        case 8, 9, 10:
            let kind: ScannedMessage.Kind = frameOpcode == 8 ? .close : frameOpcode == 9 ? .ping : .pong
            if kind == .close { sawClose = true }
            appendWithFramePayload(kind, keep: true, into: &messages)
        case 0:
            guard let kind = messageKind else {
                appendWithFramePayload(.other(0), keep: true, into: &messages)
                return
            }
            messageWire += frameWire
            appendFrameToMessage()
            if frameFin {
                messages.append(ScannedMessage(
                    kind: kind, payload: messageKeep && !messageCompressed ? messagePayload : nil,
                    wireBytes: messageWire, compressed: messageCompressed))
                messageKind = nil
                messagePayload = []
            }
        case 1, 2:
            let kind: ScannedMessage.Kind = frameOpcode == 1 ? .text : .binary
            if frameFin {
                appendWithFramePayload(kind, keep: !frameCompressed, compressed: frameCompressed, into: &messages)
            } else {
                messageKind = kind
                messagePayload = []
                messageWire = frameWire
                messageKeep = true
                messageCompressed = frameCompressed
                appendFrameToMessage()
            }
        default:
            appendWithFramePayload(.other(frameOpcode), keep: true, into: &messages)
        }
    }

    /// Copies the current frame's payload onto the fragmented message being joined.
    private mutating func appendFrameToMessage() {
        let length = arena.writerIndex - frameStart
        guard messageKeep, frameKeep, messagePayload.count + length <= observationLimit else {
            messageKeep = false
            messagePayload = []
            return
        }
        let start = frameStart - arena.readerIndex
        var joined = messagePayload
        messagePayload = []
        arena.withUnsafeReadableBytes { bytes in
            joined.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<(start + length)]))
        }
        messagePayload = joined
    }
}
