import DeepstreamProtocol
import NIOCore
import NIOWebSocket

/// The last handler of an upgraded connection: reassembles fragmented messages, hands data frames to
/// the runtime, answers WebSocket pings and close frames, and turns transport errors into a close with
/// a fitting code.
final class WebSocketPeerHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let runtime: NIOLoopBoundBox<BrokerRuntime>
    private let format: WireFormat
    // Unchecked exclusivity (a measurable cost per frame): only the channel's event loop touches these,
    // and no access spans a call that could reach the same property (see `BrokerRuntime.Link`).
    @exclusivity(unchecked) private var peer: PeerID?
    /// The runtime's record of this connection, handed back with every frame (no look-up by peer).
    @exclusivity(unchecked) private var link: BrokerRuntime.Link?
    private var closeReason: String?
    /// Unmasked payloads of small frames, reused so an inbound frame costs no allocation.
    @exclusivity(unchecked) private var scratch: [UInt8] = []
    /// Frames larger than this are unmasked into a temporary array, so an idle connection never
    /// holds more than this much scratch memory.
    static let scratchLimit = 65_536

    /// Fragmented messages, reassembled here rather than by a handler of their own (one pipeline hop
    /// less per frame).
    @exclusivity(unchecked) private var fragments: FragmentAssembler
    /// Whole messages read since the last `channelReadComplete`, for read coalescing's rate.
    @exclusivity(unchecked) private var messagesInBatch = 0

    init(runtime: NIOLoopBoundBox<BrokerRuntime>, format: WireFormat, maximumMessageSize: Int) {
        self.runtime = runtime
        self.format = format
        self.fragments = FragmentAssembler(maximumFrameCount: 1024, maximumSize: maximumMessageSize)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { open(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        if peer == nil { open(context) }
        context.fireChannelActive()
    }

    private func open(_ context: ChannelHandlerContext) {
        // The runtime writes whole frames, already encoded, from the frame encoder's place in the pipeline.
        let output = try? context.pipeline.syncOperations.context(handlerType: WebSocketFrameEncoder.self)
        let link = runtime.value.open(channel: context.channel, format: format, output: output)
        self.link = link
        peer = link.peer
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        // End of a read batch: each connection written to gets one write and one flush.
        let runtime = runtime.value
        runtime.flushAll()
        runtime.busyPoller?.inputHandled()
        runtime.readCoalescer?.batchHandled(messages: messagesInBatch)
        messagesInBatch = 0
        context.fireChannelReadComplete()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let received = unwrapInboundIn(data)
        guard let peer, let link else { return }
        switch received.opcode {
        case .binary, .text, .continuation:
            let frame: WebSocketFrame
            do throws(FragmentAssembler.Failure) {
                switch try fragments.take(received, allocator: context.channel.allocator) {
                case .message(let whole): frame = whole
                case .buffered: return
                }
            } catch .tooLarge {
                fail(context, code: .messageTooLarge, reason: "message too large")
                return
            } catch {
                fail(context, code: .protocolError, reason: "fragmentation error: \(error)")
                return
            }
            messagesInBatch &+= 1
            // Either opcode is decoded in the endpoint's format, as the reference's node service does.
            let count = frame.data.readableBytes
            if count <= Self.scratchLimit {
                if scratch.count < count { scratch = [UInt8](repeating: 0, count: max(count, 256)) }
                frame.unmaskPayload(into: &scratch)
                scratch.withUnsafeBytes { runtime.value.received(UnsafeRawBufferPointer(rebasing: $0[0..<count]), on: link) }
            } else {
                var large = [UInt8](repeating: 0, count: count)
                frame.unmaskPayload(into: &large)
                large.withUnsafeBytes { runtime.value.received($0, on: link) }
            }
        case .ping:
            let pong = WebSocketFrame(fin: true, opcode: .pong, data: received.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .connectionClose:
            if closeReason == nil { closeReason = "client closed" }
            var payload = received.unmaskedData
            let code = payload.readWebSocketErrorCode() ?? .normalClosure
            runtime.value.close(peer, code: code, reason: "client closed")
        default:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let peer { runtime.value.closed(peer, reason: closeReason ?? "connection lost") }
        link = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        switch error {
        case NIOWebSocketError.invalidFrameLength:
            // WebSocketProtocolErrorHandler has already sent close code 1009 and closes the socket.
            closeReason = closeReason ?? "message too large"
        case let error as NIOWebSocketError:
            closeReason = closeReason ?? "protocol error: \(error)"
        default:
            closeReason = closeReason ?? "\(error)"
            context.close(promise: nil)
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if !context.channel.isWritable, let peer {
            // The outgoing buffer passed maxOutboundBufferSize: the peer does not read fast enough.
            closeReason = closeReason ?? "too slow: outgoing buffer full"
            runtime.value.close(peer, code: .policyViolation, reason: "too slow")
            context.close(promise: nil)
        }
        context.fireChannelWritabilityChanged()
    }

    private func fail(_ context: ChannelHandlerContext, code: WebSocketErrorCode, reason: String) {
        closeReason = closeReason ?? reason
        if let peer {
            runtime.value.close(peer, code: code, reason: reason)
        } else {
            context.close(promise: nil)
        }
    }
}
