import DeepstreamProtocol
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// The deepstream encoding a connection speaks: ws-binary on `/deepstream`, ws-json on `/deepstream-json`.
enum Wire: String {
    case binary
    case json

    var path: String { self == .binary ? "/deepstream" : "/deepstream-json" }

    func encode(_ message: Message) -> ByteBuffer {
        switch self {
        case .binary: ByteBuffer(bytes: BinaryCodec().encode(message))
        case .json: ByteBuffer(string: JSONCodec().encode(message))
        }
    }

    func decode(_ payload: ByteBuffer) -> Message? {
        switch self {
        case .binary: payload.withUnsafeReadableBytes { try? BinaryCodec(maximumMessageSize: 1 << 24).decode($0) }
        case .json: try? JSONCodec(maximumMessageSize: 1 << 24).decode(Array(payload.readableBytesView))
        }
    }
}

/// A raw WebSocket client connection whose frames go to `onMessage`, on the connection's event loop.
/// Deliberately not the client engine: the benchmark must send frames no well-behaved client would.
final class WireClient: ChannelInboundHandler, @unchecked Sendable {
    // @unchecked: every stored property is touched only on `loop` (handler callbacks run there, and
    // the public methods are documented as loop-only and assert it).
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    let wire: Wire
    let loop: EventLoop
    private var context: ChannelHandlerContext?
    /// Called with each decoded message (`nil` for a close frame or an undecodable frame).
    var onMessage: (Message?) -> Void = { _ in }

    private init(wire: Wire, loop: EventLoop) {
        self.wire = wire
        self.loop = loop
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .binary, .text: onMessage(wire.decode(frame.unmaskedData))
        case .connectionClose: onMessage(nil)
        default: break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        onMessage(nil)
        context.fireChannelInactive()
    }

    /// Sends one message (on the loop).
    func send(_ message: Message) { sendRaw(wire.encode(message)) }

    /// Sends prepared frame bytes as one frame of the wire's opcode (on the loop).
    func sendRaw(_ payload: ByteBuffer) {
        loop.preconditionInEventLoop()
        guard let context else { return }
        let frame = WebSocketFrame(fin: true, opcode: wire == .binary ? .binary : .text, maskKey: .random(), data: payload)
        context.writeAndFlush(wrapOutboundOut(frame), promise: nil)
    }

    /// Closes the socket (on the loop).
    func close() { context?.close(promise: nil) }

    /// Opens a WebSocket to 127.0.0.1:`port` and returns the client once upgraded.
    static func open(port: Int, wire: Wire, on loop: EventLoop) async throws -> WireClient {
        let client = WireClient(wire: wire, loop: loop)
        let upgraded = loop.makePromise(of: Void.self)
        let bootstrap = ClientBootstrap(group: loop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                let upgrader = NIOWebSocketClientUpgrader(
                    maxFrameSize: 1 << 24, automaticErrorHandling: true,
                    upgradePipelineHandler: { channel, _ in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(client)
                            upgraded.succeed()
                        }
                    })
                return channel.pipeline.addHTTPClientHandlers(withClientUpgrade: (
                    upgraders: [upgrader],
                    completionHandler: { context in
                        context.pipeline.syncOperations.removeHandler(name: "request", promise: nil)
                    }
                )).flatMapThrowing {
                    try channel.pipeline.syncOperations.addHandler(
                        UpgradeRequest(path: wire.path, port: port), name: "request")
                }
            }
        do {
            _ = try await bootstrap.connect(host: "127.0.0.1", port: port).get()
        } catch {
            upgraded.fail(error)
            throw error
        }
        try await upgraded.futureResult.get()
        return client
    }

    /// Opens a connection and logs in anonymously (the broker's default open auth).
    static func openLoggedIn(port: Int, wire: Wire, on loop: EventLoop) async throws -> WireClient {
        let client = try await open(port: port, wire: wire, on: loop)
        let loggedIn = loop.makePromise(of: Void.self)
        try await loop.submit {
            client.onMessage = { message in
                switch message {
                case .connection(let m)? where m.action == .accept:
                    client.send(.auth(AuthMessage(action: .request, data: "{}")))
                case .auth(let m)? where m.action == .authSuccessful:
                    loggedIn.succeed()
                default:
                    loggedIn.fail(LoginFailed(message: message))
                }
            }
            client.send(.connection(ConnectionMessage(action: .challenge)))
        }.get()
        try await loggedIn.futureResult.get()
        return client
    }

    /// Logs in a connection and provides `names`, answering every request ACCEPT + RESPONSE `reply`.
    static func openProvider(names: [String], reply: String, port: Int, on loop: EventLoop) async throws -> WireClient {
        let client = try await openLoggedIn(port: port, wire: .binary, on: loop)
        let acknowledged = loop.makePromise(of: Void.self)
        try await loop.submit {
            client.onMessage = { message in
                guard case .rpc(let m)? = message else { return }
                switch m.action {
                case .provide where m.isAck == true:
                    acknowledged.succeed()
                case .request:
                    client.send(.rpc(RPCMessage(action: .accept, correlationId: m.correlationId, name: m.name)))
                    client.send(.rpc(RPCMessage(action: .response, data: reply, correlationId: m.correlationId, name: m.name)))
                default:
                    break
                }
            }
            client.send(.rpc(RPCMessage(action: .provide, correlationId: "p", names: names)))
        }.get()
        try await acknowledged.futureResult.get()
        return client
    }
}

struct LoginFailed: Error {
    var message: Message?
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
