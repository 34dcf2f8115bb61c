import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket

/// One client WebSocket (ws or wss) over NIO: HTTP/1.1 upgrade, binary frames out (masked),
/// frames in and out through an `NIOAsyncChannel` (back-pressured both ways, in order).
///
/// It does no deepstream logic: ``run(onFrame:)`` hands each complete binary message to the caller
/// and answers WebSocket pings and closes itself.
struct WebSocketConnection: Sendable {
    /// Why the connection could not be opened.
    struct ConnectError: Error, CustomStringConvertible {
        var description: String
    }

    /// Unwritten bytes above which new calls wait (see ``OutboundQueue``).
    static let outboundHighWater = 1 << 20

    private let channel: NIOAsyncChannel<WebSocketFrame, WebSocketFrame>
    private let outbound = OutboundQueue<WebSocketFrame>(highWater: WebSocketConnection.outboundHighWater)

    private enum Upgrade: Sendable {
        case websocket(NIOAsyncChannel<WebSocketFrame, WebSocketFrame>)
        case refused
    }

    /// Opens a connection and performs the upgrade.
    static func connect(
        to url: ServerURL, maxFrameSize: Int, connectTimeout: Duration,
        tlsConfiguration: TLSConfiguration?, group: any EventLoopGroup
    ) async throws -> WebSocketConnection {
        let sslContext: NIOSSLContext?
        if url.isSecure {
            sslContext = try NIOSSLContext(configuration: tlsConfiguration ?? .makeClientConfiguration())
        } else {
            sslContext = nil
        }
        let hostHeader = url.port == (url.isSecure ? 443 : 80) ? url.host : "\(url.host):\(url.port)"
        let path = url.path
        let host = url.host
        let upgrade: EventLoopFuture<Upgrade> = try await ClientBootstrap(group: group)
            .connectTimeout(.nanoseconds(Int64(connectTimeout.components.seconds) * 1_000_000_000
                + connectTimeout.components.attoseconds / 1_000_000_000))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connect(host: url.host, port: url.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        let serverName = host.first?.isNumber == true || host.contains(":") ? nil : host
                        try channel.pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(context: sslContext, serverHostname: serverName))
                    }
                    let upgrader = NIOTypedWebSocketClientUpgrader<Upgrade>(
                        maxFrameSize: maxFrameSize,
                        upgradePipelineHandler: { channel, _ in
                            channel.eventLoop.makeCompletedFuture {
                                try channel.pipeline.syncOperations.addHandler(
                                    NIOWebSocketFrameAggregator(
                                        minNonFinalFragmentSize: 0, maxAccumulatedFrameCount: 1 << 16,
                                        maxAccumulatedFrameSize: maxFrameSize))
                                return Upgrade.websocket(
                                    try NIOAsyncChannel(wrappingChannelSynchronously: channel))
                            }
                        })
                    var headers = HTTPHeaders()
                    headers.add(name: "Host", value: hostHeader)
                    headers.add(name: "Content-Length", value: "0")
                    let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: headers)
                    let configuration = NIOTypedHTTPClientUpgradeConfiguration<Upgrade>(
                        upgradeRequestHead: head, upgraders: [upgrader],
                        notUpgradingCompletionHandler: { channel in
                            channel.eventLoop.makeCompletedFuture { Upgrade.refused }
                        })
                    return try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(
                        configuration: .init(upgradeConfiguration: configuration))
                }
            }
        switch try await upgrade.get() {
        case .websocket(let channel): return WebSocketConnection(channel: channel)
        case .refused: throw ConnectError(description: "the server refused the WebSocket upgrade for \(url)")
        }
    }

    /// Queues one binary message (masked, as a client must) for the writer; returns at once.
    func send(_ bytes: [UInt8]) {
        let buffer = channel.channel.allocator.buffer(bytes: bytes)
        outbound.enqueue(WebSocketFrame(fin: true, opcode: .binary, maskKey: .random(), data: buffer), bytes: bytes.count)
    }

    /// Waits while the frames not yet handed to the socket exceed the queue's high-water mark (a slow
    /// or stalled server); returns at once otherwise, and when the connection ends.
    func waitForSpace() async {
        await outbound.waitForSpace()
    }

    /// Whether a new request may be queued now (see ``OutboundQueue/hasSpace``).
    var hasSpace: Bool { outbound.hasSpace }

    /// Bytes queued and not yet handed to the socket.
    var unwrittenBytes: Int { outbound.queuedBytes }

    /// Closes the socket; ``run(onFrame:)`` then returns.
    func close() {
        outbound.close()
        channel.channel.close(promise: nil)
    }

    /// Reads until the connection ends, calling `onFrame` for every binary (or text) message in
    /// order, awaiting each call before reading on, while a writer task in the same task group writes
    /// the queued frames through the channel's async writer. Returns how the connection ended.
    func run(onFrame: (ByteBuffer) async -> Void) async -> SocketEnd {
        let queue = outbound
        do {
            return try await channel.executeThenClose { inbound, writer in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        while let batch = await queue.next() {
                            try await writer.write(contentsOf: batch.map { $0.element })
                            queue.written(batch.reduce(0) { $0 + $1.bytes })
                        }
                    }
                    defer {
                        queue.close()
                        group.cancelAll()
                    }
                    for try await frame in inbound {
                        switch frame.opcode {
                        case .binary, .text:
                            await onFrame(frame.unmaskedData)
                        case .ping:
                            let pong = WebSocketFrame(
                                fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData)
                            queue.enqueue(pong, bytes: frame.unmaskedData.readableBytes)
                        case .connectionClose:
                            var data = frame.unmaskedData
                            let code = data.readWebSocketErrorCode().map { Int(UInt16(webSocketErrorCode: $0)) }
                            let reply = WebSocketFrame(
                                fin: true, opcode: .connectionClose, maskKey: .random(), data: ByteBuffer())
                            // Straight to the channel: the close handshake must not wait behind queued frames.
                            try? await channel.channel.writeAndFlush(reply)
                            let meaning = code == 1009 ? " message too big" : ""
                            return SocketEnd(
                                reason: "closed by the server (code \(code.map(String.init) ?? "none")\(meaning))",
                                closeCode: code)
                        default:
                            break
                        }
                    }
                    return SocketEnd(reason: "connection closed", closeCode: nil)
                }
            }
        } catch {
            return SocketEnd(reason: "connection error: \(error)", closeCode: nil)
        }
    }
}

/// How a socket ended: a one-line reason and the WebSocket close code when the server sent one.
struct SocketEnd: Sendable {
    /// For logs and CONNECTION_ERROR events.
    var reason: String
    /// The server's close code (1009 = message too big), if it sent a close frame with one.
    var closeCode: Int?
}
