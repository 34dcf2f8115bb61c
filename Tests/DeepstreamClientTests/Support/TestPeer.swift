import DeepstreamProtocol
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket

/// A scripted deepstream server for tests: a real NIO WebSocket server on 127.0.0.1 that answers
/// CHALLENGE, AUTH, PING, PROVIDE/UNPROVIDE and routes REQUESTs between its connections per the
/// spec (no server timers), and can be told to go silent, refuse logins, close sockets, answer a
/// message with a script, or stop and restart on the same port.
actor TestPeer {
    /// What a script does with one received message.
    enum Scripted: Sendable {
        /// Send these messages back instead of the default handling.
        case reply([Message])
        /// Ignore the message.
        case ignore
        /// Close the connection.
        case close
    }

    /// A script: `nil` means default handling.
    typealias Script = @Sendable (_ connection: Int, _ message: Message) -> Scripted?

    private struct Connection {
        var channel: NIOAsyncChannel<WebSocketFrame, WebSocketFrame>
        var challenged = false
        var user: String?
        var clientData: JSONValue?
        var authAttempts = 0
        var provided: [String] = []
    }

    private enum Upgrade: Sendable {
        case websocket(NIOAsyncChannel<WebSocketFrame, WebSocketFrame>)
        case refused
    }

    /// Users as `username → (password, clientData)`; logins with other usernames are refused
    /// unless ``openAuth`` is on.
    var users: [String: (password: String, clientData: JSONValue?)] = [:]
    /// Accept any auth data (clientData absent), as the reference server's open auth.
    var openAuth = true
    /// Refuse every login.
    var refuseLogins = false
    /// Failed logins before TOO_MANY_AUTH_ATTEMPTS.
    var maxAuthAttempts = 3
    /// Drop every inbound frame without answering (a dead link).
    var silent = false
    /// Stop reading frames (a slow server): nothing is consumed until it is turned off again.
    var stalled = false
    /// Add requestorName/requestorData to forwarded REQUESTs.
    var provideRequestorDetails = false
    /// Per-message override.
    var script: Script?

    /// Every message received, in order, with its connection number.
    private(set) var received: [(connection: Int, message: Message)] = []
    /// Every binary frame payload received, in order, with its connection number.
    private(set) var rawFrames: [(connection: Int, bytes: [UInt8])] = []
    /// Number of WebSocket connections accepted so far.
    private(set) var connectionCount = 0
    private(set) var port = 0

    private var connections: [Int: Connection] = [:]
    /// Set by ``stop()``: a connection whose upgrade completes afterwards is closed at once, so
    /// `stop()` never waits for a client that got in while the listener was closing.
    private var stopping = false
    private var pending: [String: Int] = [:]
    private var server: NIOAsyncChannel<EventLoopFuture<Upgrade>, Never>?
    private var serverTask: Task<Void, Never>?
    private let codec = BinaryCodec()

    /// Starts listening on 127.0.0.1 (`port` 0 = ephemeral), with TLS when `tls` is given; returns
    /// the port.
    @discardableResult
    func start(port requested: Int = 0, tls: NIOSSLContext? = nil) async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: requested) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
                    }
                    let upgrader = NIOTypedWebSocketServerUpgrader<Upgrade>(
                        // As large as the engine's default limit: NIO's default (16 KiB) would close
                        // the connection with 1009 on the first larger frame.
                        maxFrameSize: 1 << 20,
                        shouldUpgrade: { channel, head in
                            channel.eventLoop.makeSucceededFuture(head.uri == "/deepstream" ? HTTPHeaders() : nil)
                        },
                        upgradePipelineHandler: { channel, _ in
                            channel.eventLoop.makeCompletedFuture {
                                Upgrade.websocket(try NIOAsyncChannel(wrappingChannelSynchronously: channel))
                            }
                        })
                    return try channel.pipeline.syncOperations.configureUpgradableHTTPServerPipeline(
                        configuration: .init(
                            upgradeConfiguration: NIOTypedHTTPServerUpgradeConfiguration(
                                upgraders: [upgrader],
                                notUpgradingCompletionHandler: { channel in
                                    channel.close().map { Upgrade.refused }
                                })))
                }
            }
        server = channel
        stopping = false
        port = channel.channel.localAddress?.port ?? requested
        serverTask = Task { [weak self] in
            await withDiscardingTaskGroup { group in
                try? await channel.executeThenClose { inbound in
                    for try await upgrade in inbound {
                        group.addTask { await self?.serve(upgrade) }
                    }
                }
            }
        }
        return port
    }

    /// Stops listening and closes every connection.
    func stop() async {
        stopping = true
        // The listener is closed before the connections, so a client reconnecting at once is refused.
        try? await server?.channel.close()
        server = nil
        closeAllConnections()
        await serverTask?.value
        serverTask = nil
    }

    /// Closes every connection (the clients see the socket drop).
    func closeAllConnections() {
        for connection in connections.values { connection.channel.channel.close(promise: nil) }
        connections.removeAll()
        pending.removeAll()
    }

    func setSilent(_ on: Bool) { silent = on }
    func setStalled(_ on: Bool) { stalled = on }
    func setRefuseLogins(_ on: Bool) { refuseLogins = on }
    func setMaxAuthAttempts(_ count: Int) { maxAuthAttempts = count }
    func setProvideRequestorDetails(_ on: Bool) { provideRequestorDetails = on }

    func setScript(_ script: Script?) { self.script = script }

    func addUser(_ name: String, password: String, clientData: JSONValue?) {
        users[name] = (password, clientData)
        openAuth = false
    }

    /// Messages received so far, without connection numbers.
    var messages: [Message] { received.map(\.message) }

    /// Sends `message` to connection `id`.
    func push(_ message: Message, to id: Int) {
        write(message, to: id)
    }

    /// Sends raw frame bytes to connection `id`.
    func pushRaw(_ bytes: [UInt8], to id: Int) {
        guard let channel = connections[id]?.channel.channel else { return }
        channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .binary, data: channel.allocator.buffer(bytes: bytes)), promise: nil)
    }

    /// Waits until a received message matches (polling every 5 ms, at most `timeout`).
    func waitForMessage(
        timeout: Duration = .seconds(5), _ predicate: @Sendable (Message) -> Bool
    ) async throws -> (connection: Int, message: Message) {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let hit = received.first(where: { predicate($0.message) }) { return hit }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw TestTimeout(what: "peer message")
    }

    // MARK: Serving

    private func serve(_ upgrade: EventLoopFuture<Upgrade>) async {
        guard case .websocket(let channel)? = try? await upgrade.get() else { return }
        guard !stopping else {
            try? await channel.channel.close()
            return
        }
        connectionCount += 1
        let id = connectionCount
        connections[id] = Connection(channel: channel)
        try? await channel.executeThenClose { inbound, _ in
            for try await frame in inbound {
                guard frame.opcode == .binary else {
                    if frame.opcode == .connectionClose { return }
                    continue
                }
                // A stalled peer stops reading: its socket's buffers fill and TCP pushes back.
                while self.stalled { try await Task.sleep(for: .milliseconds(5)) }
                self.handle(frame.unmaskedData, from: id)
            }
        }
        connectionClosed(id)
    }

    private func connectionClosed(_ id: Int) {
        connections[id] = nil
    }

    private func handle(_ frame: ByteBuffer, from id: Int) {
        guard connections[id] != nil, !silent else { return }
        rawFrames.append((id, Array(frame.readableBytesView)))
        guard let message = try? frame.withUnsafeReadableBytes({ raw in try codec.decode(raw) }) else {
            write(.parser(ParserMessage(action: .unknownTopic)), to: id)
            return
        }
        received.append((id, message))
        if let scripted = script?(id, message) {
            switch scripted {
            case .reply(let messages): for m in messages { write(m, to: id) }
            case .ignore: break
            case .close: connections.removeValue(forKey: id)?.channel.channel.close(promise: nil)
            }
            return
        }
        switch message {
        case .connection(let m): handleConnection(m, from: id)
        case .auth(let m): handleAuth(m, from: id)
        case .rpc(let m): handleRPC(m, from: id)
        default: write(.parser(ParserMessage(action: .unknownTopic)), to: id)
        }
    }

    private func handleConnection(_ m: ConnectionMessage, from id: Int) {
        switch m.action {
        case .challenge:
            connections[id]?.challenged = true
            write(.accept, to: id)
        case .ping:
            if connections[id]?.user != nil { write(.pong, to: id) }
        default:
            break
        }
    }

    private func handleAuth(_ m: AuthMessage, from id: Int) {
        guard m.action == .request, let text = m.data, case .object(let data)? = try? JSONValue(parsing: text) else {
            write(.auth(AuthMessage(action: .invalidMessageData)), to: id)
            connections.removeValue(forKey: id)?.channel.channel.close(promise: nil)
            return
        }
        let username = data["username"]?.stringValue
        var success = false
        var clientData: JSONValue?
        if refuseLogins {
            success = false
        } else if openAuth {
            success = true
        } else if let username, let user = users[username], data["password"]?.stringValue == user.password {
            success = true
            clientData = user.clientData
        }
        if success {
            connections[id]?.user = username ?? "OPEN"
            connections[id]?.clientData = clientData
            write(.auth(AuthMessage(action: .authSuccessful, data: clientData?.jsonText)), to: id)
            return
        }
        connections[id]?.authAttempts += 1
        write(.auth(AuthMessage(action: .authUnsuccessful)), to: id)
        if let attempts = connections[id]?.authAttempts, attempts >= maxAuthAttempts {
            write(.auth(AuthMessage(action: .tooManyAuthAttempts)), to: id)
            connections.removeValue(forKey: id)?.channel.channel.close(promise: nil)
        }
    }

    private func handleRPC(_ m: RPCMessage, from id: Int) {
        switch m.action {
        case .provide:
            for name in m.names where connections[id]?.provided.contains(name) == false {
                connections[id]?.provided.append(name)
            }
            write(.rpc(RPCMessage(action: .provide, correlationId: m.correlationId, isAck: true)), to: id)
        case .unprovide:
            connections[id]?.provided.removeAll { m.names.contains($0) }
            write(.rpc(RPCMessage(action: .unprovide, correlationId: m.correlationId, isAck: true)), to: id)
        case .request:
            guard let name = m.name, let cid = m.correlationId else { return }
            let provider = connections.keys.sorted().first { connections[$0]?.provided.contains(name) == true }
            guard let provider else {
                write(.rpc(RPCMessage(action: .noRPCProvider, correlationId: cid, name: name)), to: id)
                return
            }
            pending[cid] = id
            var forward = m
            if provideRequestorDetails {
                forward.requestorName = connections[id]?.user
                forward.requestorData = connections[id]?.clientData?.jsonText
            }
            write(.rpc(forward), to: provider)
        case .accept, .response, .requestError:
            guard let cid = m.correlationId, let requestor = pending[cid] else {
                write(.rpc(RPCMessage(
                    action: .invalidRPCCorrelationID, correlationId: m.correlationId, isError: true, name: m.name,
                    originalAction: m.action)), to: id)
                return
            }
            if m.action != .accept { pending[cid] = nil }
            write(.rpc(m), to: requestor)
        case .reject:
            guard let cid = m.correlationId, let requestor = pending.removeValue(forKey: cid) else { return }
            write(.rpc(RPCMessage(action: .noRPCProvider, correlationId: cid, name: m.name)), to: requestor)
        default:
            break
        }
    }

    private func write(_ message: Message, to id: Int) {
        guard let channel = connections[id]?.channel.channel else { return }
        let frame = WebSocketFrame(fin: true, opcode: .binary, data: channel.allocator.buffer(bytes: codec.encode(message)))
        channel.writeAndFlush(frame, promise: nil)
    }
}

/// A wait in a test ran out of time.
struct TestTimeout: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out waiting for \(what)" }
}
