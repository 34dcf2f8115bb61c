import DeepstreamProtocol
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// What a benchmark connection does with frames; all methods run on the connection's event loop.
protocol BenchRole: AnyObject {
    /// The WebSocket is open.
    func started(_ connection: BenchConnection)
    /// A data frame arrived.
    func received(_ payload: ByteBuffer, on connection: BenchConnection)
}

/// One benchmark WebSocket connection: writes frames and passes received ones to its role.
final class BenchConnection: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    let role: BenchRole
    private(set) var context: ChannelHandlerContext?

    init(role: BenchRole) { self.role = role }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        role.started(self)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        if frame.opcode == .binary || frame.opcode == .text { role.received(frame.unmaskedData, on: self) }
    }

    /// Writes a binary frame (masked, as clients must) without flushing.
    func write(_ bytes: ByteBuffer) {
        guard let context else { return }
        context.write(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .binary, maskKey: .random(), data: bytes)), promise: nil)
    }

    /// Writes a deepstream message.
    func write(_ message: Message) {
        guard let context else { return }
        var buffer = context.channel.allocator.buffer(capacity: BinaryCodec.encodedSize(of: message))
        buffer.writeBytes(BinaryCodec().encode(message))
        write(buffer)
    }

    func flush() { context?.flush() }

    /// Opens a WebSocket to 127.0.0.1:`port``path` on `loop`, with `role` attached once upgraded.
    static func open(
        port: Int, path: String = "/deepstream", on loop: EventLoop,
        role: @escaping @Sendable () -> BenchRole
    ) async throws -> Channel {
        let upgraded = loop.makePromise(of: Void.self)
        let bootstrap = ClientBootstrap(group: loop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                let upgrader = NIOWebSocketClientUpgrader(
                    maxFrameSize: 1 << 24, automaticErrorHandling: true,
                    upgradePipelineHandler: { channel, _ in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(BenchConnection(role: role()))
                            upgraded.succeed()
                        }
                    })
                return channel.pipeline.addHTTPClientHandlers(withClientUpgrade: (
                    upgraders: [upgrader],
                    completionHandler: { context in
                        context.pipeline.syncOperations.removeHandler(name: "request", promise: nil)
                    }
                )).flatMapThrowing {
                    try channel.pipeline.syncOperations.addHandler(UpgradeRequest(path: path, port: port), name: "request")
                }
            }
        let channel: Channel
        do { channel = try await bootstrap.connect(host: "127.0.0.1", port: port).get() } catch {
            upgraded.fail(error)
            throw error
        }
        try await upgraded.futureResult.get()
        return channel
    }
}

private final class UpgradeRequest: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart
    let path: String
    let port: Int

    init(path: String, port: Int) {
        self.path = path
        self.port = port
    }

    func channelActive(context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: "127.0.0.1:\(port)")
        headers.add(name: "Content-Length", value: "0")
        context.write(wrapOutboundOut(.head(HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: headers))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.fireChannelActive()
    }
}
