import DeepstreamProtocol
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// A frame as the test client saw it.
enum ReceivedFrame: Hashable, Sendable {
    case binary([UInt8])
    case text(String)
    /// A close frame with its status code (nil when the frame had no code).
    case close(code: UInt16?)
}

/// Why a test client call failed.
enum TestClientError: Error, CustomStringConvertible {
    case timeout(String)
    case upgradeRefused(status: UInt)
    case unexpected(String)

    var description: String {
        switch self {
        case .timeout(let what): "timed out waiting for \(what)"
        case .upgradeRefused(let status): "upgrade refused with HTTP \(status)"
        case .unexpected(let what): what
        }
    }
}

/// Frames received and readers waiting; confined to the client's event loop.
final class FrameInbox {
    var frames: [ReceivedFrame] = []
    var waiters: [EventLoopPromise<ReceivedFrame?>] = []
    var ended = false

    func push(_ frame: ReceivedFrame) {
        if waiters.isEmpty { frames.append(frame) } else { waiters.removeFirst().succeed(frame) }
    }

    func end() {
        ended = true
        for waiter in waiters { waiter.succeed(nil) }
        waiters = []
    }
}

private final class ClientFrameHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    let inbox: NIOLoopBoundBox<FrameInbox>

    init(inbox: NIOLoopBoundBox<FrameInbox>) { self.inbox = inbox }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        var payload = frame.unmaskedData
        switch frame.opcode {
        case .binary: inbox.value.push(.binary(Array(payload.readableBytesView)))
        case .text: inbox.value.push(.text(String(buffer: payload)))
        case .connectionClose: inbox.value.push(.close(code: payload.readInteger(as: UInt16.self)))
        default: break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        inbox.value.end()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

private final class UpgradeRequestHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart
    let path: String
    let port: Int
    let refused: EventLoopPromise<Void>

    init(path: String, port: Int, refused: EventLoopPromise<Void>) {
        self.path = path
        self.port = port
        self.refused = refused
    }

    func channelActive(context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: "127.0.0.1:\(port)")
        headers.add(name: "Content-Length", value: "0")
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let head) = unwrapInboundIn(data) {
            refused.fail(TestClientError.upgradeRefused(status: head.status.code))
        }
    }
}

/// A minimal WebSocket client for integration tests: sends arbitrary frames, reads frames with a
/// timeout, and reports the close code.
final class TestWebSocketClient: Sendable {
    let channel: Channel
    let format: WireFormat
    private let inbox: NIOLoopBoundBox<FrameInbox>

    private init(channel: Channel, format: WireFormat, inbox: NIOLoopBoundBox<FrameInbox>) {
        self.channel = channel
        self.format = format
        self.inbox = inbox
    }

    /// Opens a WebSocket to `path` on 127.0.0.1:`port`.
    static func connect(port: Int, path: String = "/deepstream") async throws -> TestWebSocketClient {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let inbox = NIOLoopBoundBox.makeBoxSendingValue(FrameInbox(), eventLoop: loop)
        let upgraded = loop.makePromise(of: Void.self)
        let bootstrap = ClientBootstrap(group: loop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                let upgrader = NIOWebSocketClientUpgrader(
                    maxFrameSize: 1 << 26, automaticErrorHandling: false,
                    upgradePipelineHandler: { channel, _ in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(ClientFrameHandler(inbox: inbox))
                            upgraded.succeed()
                        }
                    })
                let configuration: NIOHTTPClientUpgradeSendableConfiguration = (
                    upgraders: [upgrader],
                    completionHandler: { context in
                        context.pipeline.syncOperations.removeHandler(name: "upgrade-request", promise: nil)
                    }
                )
                return channel.pipeline.addHTTPClientHandlers(withClientUpgrade: configuration).flatMapThrowing {
                    try channel.pipeline.syncOperations.addHandler(
                        UpgradeRequestHandler(path: path, port: port, refused: upgraded), name: "upgrade-request")
                }
            }
        let channel: Channel
        do {
            channel = try await bootstrap.connect(host: "127.0.0.1", port: port).get()
        } catch {
            upgraded.fail(error)
            throw error
        }
        channel.closeFuture.whenComplete { _ in upgraded.fail(TestClientError.unexpected("closed before upgrade")) }
        try await upgraded.futureResult.get()
        return TestWebSocketClient(
            channel: channel, format: path == "/deepstream-json" ? .json : .binary, inbox: inbox)
    }

    // MARK: Sending

    /// Sends one message in the endpoint's format.
    func send(_ message: Message) async throws {
        switch format {
        case .binary: try await send(binary: BinaryCodec().encode(message))
        case .json: try await send(text: JSONCodec().encode(message))
        }
    }

    /// Sends a binary frame with exactly these bytes.
    func send(binary bytes: [UInt8]) async throws {
        try await send(frame: .binary, ByteBuffer(bytes: bytes))
    }

    /// Sends a text frame.
    func send(text: String) async throws {
        try await send(frame: .text, ByteBuffer(string: text))
    }

    /// Sends one frame (masked, as a client must).
    func send(frame opcode: WebSocketOpcode, _ data: ByteBuffer, fin: Bool = true) async throws {
        let frame = WebSocketFrame(fin: fin, opcode: opcode, maskKey: .random(), data: data)
        try await channel.writeAndFlush(frame).get()
    }

    // MARK: Receiving

    /// The next frame, or nil when the socket closed first. Throws on timeout.
    func next(timeout: Duration = .seconds(3)) async throws -> ReceivedFrame? {
        let inbox = self.inbox
        let loop = channel.eventLoop
        let nanos = Int64(timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
        let future = loop.flatSubmit { () -> EventLoopFuture<ReceivedFrame?> in
            let box = inbox.value
            if !box.frames.isEmpty { return loop.makeSucceededFuture(box.frames.removeFirst()) }
            if box.ended { return loop.makeSucceededFuture(nil) }
            let promise = loop.makePromise(of: ReceivedFrame?.self)
            box.waiters.append(promise)
            loop.scheduleTask(in: .nanoseconds(nanos)) {
                let box = inbox.value
                if let index = box.waiters.firstIndex(where: { $0.futureResult === promise.futureResult }) {
                    box.waiters.remove(at: index)
                    promise.fail(TestClientError.timeout("a frame"))
                }
            }
            return promise.futureResult
        }
        return try await future.get()
    }

    /// The next frame decoded as a deepstream message.
    func nextMessage(timeout: Duration = .seconds(3)) async throws -> Message {
        switch try await next(timeout: timeout) {
        case .binary(let bytes)?: return try BinaryCodec().decode(bytes)
        case .text(let text)?: return try JSONCodec().decode(text)
        case let other: throw TestClientError.unexpected("expected a message, got \(String(describing: other))")
        }
    }

    /// The next RPC message.
    func nextRPC(timeout: Duration = .seconds(3)) async throws -> RPCMessage {
        let message = try await nextMessage(timeout: timeout)
        guard case .rpc(let rpc) = message else { throw TestClientError.unexpected("expected RPC, got \(message)") }
        return rpc
    }

    /// True if no frame arrives within `duration`.
    func staysSilent(for duration: Duration) async throws -> Bool {
        do {
            _ = try await next(timeout: duration)
            return false
        } catch TestClientError.timeout {
            return true
        }
    }

    /// Reads until the server's close frame and returns its code; nil if the socket ended without one.
    func closeCode(timeout: Duration = .seconds(3)) async throws -> UInt16? {
        while let frame = try await next(timeout: timeout) {
            if case .close(let code) = frame { return code }
        }
        return nil
    }

    /// Waits until the TCP connection is closed; true if it closed within `timeout`.
    func socketCloses(within timeout: Duration = .seconds(3)) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            do {
                if try await next(timeout: .milliseconds(100)) == nil { return true }
            } catch TestClientError.timeout {}
        }
        return false
    }

    // MARK: Conveniences

    /// CHALLENGE → ACCEPT.
    func challenge() async throws {
        try await send(.connection(ConnectionMessage(
            action: .challenge, url: "ws://127.0.0.1/deepstream", protocolVersion: "0.1a", sdkVersion: "7.1.0",
            sdkType: "javascript")))
        let reply = try await nextMessage()
        guard reply == .accept else { throw TestClientError.unexpected("expected ACCEPT, got \(reply)") }
    }

    /// CHALLENGE, then AUTH REQUEST with `authData`; returns the auth reply.
    @discardableResult
    func login(_ authData: String = "{}") async throws -> Message {
        try await challenge()
        try await send(.auth(AuthMessage(action: .request, data: authData)))
        return try await nextMessage()
    }

    /// Bulk PROVIDE and wait for the ack.
    func provide(_ names: [String], correlationId: String = "0") async throws {
        try await send(.rpc(RPCMessage(action: .provide, correlationId: correlationId, names: names)))
        let ack = try await nextRPC()
        guard ack.action == .provide, ack.isAck == true else { throw TestClientError.unexpected("no ack: \(ack)") }
    }

    /// Sends a REQUEST.
    func request(_ name: String, correlationId: String, data: String? = nil) async throws {
        try await send(.rpc(RPCMessage(action: .request, data: data, correlationId: correlationId, name: name)))
    }

    /// Sends a provider reply (ACCEPT, RESPONSE, REJECT, REQUEST_ERROR).
    func reply(_ action: RPCAction, to request: RPCMessage, data: String? = nil) async throws {
        try await send(.rpc(RPCMessage(
            action: action, data: data, correlationId: request.correlationId, name: request.name)))
    }

    func close() async {
        try? await channel.close().get()
    }
}

/// Sends raw bytes to 127.0.0.1:`port` and returns everything the server sends until it closes.
func rawExchange(port: Int, request: String, timeout: Duration = .seconds(3)) async throws -> String {
    final class Collector: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        let done: EventLoopPromise<String>
        var text = ""
        init(done: EventLoopPromise<String>) { self.done = done }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            text += String(buffer: unwrapInboundIn(data))
        }
        func channelInactive(context: ChannelHandlerContext) { done.succeed(text) }
    }
    let loop = MultiThreadedEventLoopGroup.singleton.next()
    let done = loop.makePromise(of: String.self)
    let channel = try await ClientBootstrap(group: loop)
        .channelInitializer { channel in
            channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Collector(done: done)) }
        }
        .connect(host: "127.0.0.1", port: port).get()
    try await channel.writeAndFlush(ByteBuffer(string: request)).get()
    let nanos = Int64(timeout.components.seconds) * 1_000_000_000
    loop.scheduleTask(in: .nanoseconds(nanos)) { channel.close(promise: nil) }
    return try await done.futureResult.get()
}
