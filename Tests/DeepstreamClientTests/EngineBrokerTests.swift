import DeepstreamBroker
import DeepstreamClient
import DeepstreamProtocol
import Logging
import Testing

/// The engine against the real embedded broker (module DeepstreamBroker) over real sockets.
@Suite("ClientEngine against the embedded broker")
struct EngineBrokerTests {
    static func configuration(
        port: Int = 0, _ adjust: (inout BrokerConfiguration) throws -> Void = { _ in }
    ) rethrows -> BrokerConfiguration {
        var configuration = BrokerConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = port
        configuration.rpc.ackTimeout = .milliseconds(300)
        configuration.rpc.responseTimeout = .milliseconds(600)
        configuration.shutdownGracePeriod = .milliseconds(50)
        try adjust(&configuration)
        return configuration
    }

    static func started(_ configuration: BrokerConfiguration) async throws -> (Broker, Int) {
        var logger = Logger(label: "test.broker")
        logger.logLevel = .warning
        let broker = Broker(configuration: configuration, logger: logger)
        do {
            return (broker, try await broker.start().port ?? 0)
        } catch {
            await broker.shutdown()
            throw error
        }
    }

    static func engine(port: Int, options: ClientOptions = testOptions()) throws -> (ClientEngine, EventRecorder) {
        let engine = try ClientEngine(url: "127.0.0.1:\(port)", options: options)
        return (engine, EventRecorder(engine))
    }

    static func users() throws -> Authentication {
        .users(UsersFile(users: [
            "userA": .init(password: try PasswordHash(hashing: "secretA", iterations: 1000)),
            "userB": .init(
                password: try PasswordHash(hashing: "secretB", iterations: 1000),
                clientData: ["favorite color": "orange", "id": "userB"]),
        ]))
    }

    static func acked(_ events: EventRecorder, _ name: String) async throws {
        try await events.waitFor("ack \(name)") {
            if case .providerAcknowledged(let n, true, _) = $0 { n == name } else { false }
        }
    }

    @Test("seed example: add-two-numbers 4 + 7 = 11; the broker's tap is relayed into the engine's stream")
    func seedExample() async throws {
        let (broker, port) = try await Self.started(Self.configuration())
        let (provider, providerEvents) = try Self.engine(port: port)
        let (requestor, requestorEvents) = try Self.engine(port: port)
        await requestor.relay(broker.tap())
        try await provider.login(["username": "A"])
        try await requestor.login(["username": "B"])
        try await provider.provide("add-two-numbers") { data, response, _ in
            response.send(.int((data?["numA"]?.intValue ?? 0) + (data?["numB"]?.intValue ?? 0)))
        }
        try await Self.acked(providerEvents, "add-two-numbers")
        #expect(try await requestor.make("add-two-numbers", data: ["numA": 4, "numB": 7]) == 11)
        try await requestorEvents.waitFor("relayed call") {
            if case .traffic(.call(let e)) = $0 { e.step == .responded(data: "11") } else { false }
        }
        try await requestorEvents.waitFor("relayed provider") {
            if case .traffic(.providerAdded(_, "add-two-numbers", _)) = $0 { true } else { false }
        }
        await provider.close()
        await requestor.close()
        await broker.shutdown()
    }

    @Test("requestor details reach the provider when the broker enables them")
    func requestorDetails() async throws {
        let configuration = try Self.configuration {
            $0.authentication = try Self.users()
            $0.rpc.provideRequestorName = true
            $0.rpc.provideRequestorData = true
        }
        let (broker, port) = try await Self.started(configuration)
        let (provider, providerEvents) = try Self.engine(port: port)
        let (requestor, _) = try Self.engine(port: port)
        try await provider.login(username: "userA", password: "secretA")
        #expect(try await requestor.login(username: "userB", password: "secretB") == ["favorite color": "orange", "id": "userB"])
        try await provider.provide("who") { _, response, requestor in
            let name: JSONValue = requestor?.name.map(JSONValue.string) ?? .null
            let data: JSONValue = requestor?.data ?? .null
            response.send(["name": name, "data": data])
        }
        try await Self.acked(providerEvents, "who")
        #expect(try await requestor.make("who") == ["name": "userB", "data": ["favorite color": "orange", "id": "userB"]])
        await provider.close()
        await requestor.close()
        await broker.shutdown()
    }

    @Test("every error outcome: NO_RPC_PROVIDER, ACCEPT_TIMEOUT, RESPONSE_TIMEOUT, REQUEST_ERROR, too large, timeout, cancel")
    func errorOutcomes() async throws {
        let (broker, port) = try await Self.started(Self.configuration())
        var requestorOptions = testOptions()
        requestorOptions.maxMessageSize = 512
        let (provider, providerEvents) = try Self.engine(port: port)
        let (requestor, requestorEvents) = try Self.engine(port: port, options: requestorOptions)
        try await provider.login()
        try await requestor.login()
        try await provider.provide("never-accepts") { _, response, _ in response.autoAccept = false }
        try await provider.provide("never-answers") { _, _, _ in }
        try await provider.provide("fails") { _, response, _ in response.error(["code": 7]) }
        for name in ["never-accepts", "never-answers", "fails"] { try await Self.acked(providerEvents, name) }

        await #expect(throws: RPCError.noRPCProvider) { try await requestor.make("nobody", data: 1) }
        await #expect(throws: RPCError.acceptTimeout) { try await requestor.make("never-accepts") }
        await #expect(throws: RPCError.responseTimeout) { try await requestor.make("never-answers") }
        await #expect(throws: RPCError.requestError(["code": 7])) { try await requestor.make("fails") }
        await #expect(throws: RPCError.timeout(.milliseconds(50))) {
            try await requestor.make("never-answers", timeout: .milliseconds(50))
        }
        do {
            _ = try await requestor.make("fails", data: .string(String(repeating: "x", count: 600)))
            Issue.record("expected messageTooBig")
        } catch {
            if case .messageTooBig(_, .client(512)) = error {} else { Issue.record("unexpected \(error)") }
        }
        let call = Task { try await requestor.make("never-answers") }
        try await providerEvents.waitForCount(3, "never-answers requests") {
            if case .servedCall(let e, _) = $0 { e.name == "never-answers" && e.step == .requested(data: nil) } else { false }
        }
        call.cancel()
        await #expect(throws: RPCError.cancelled) { try await call.value }
        // The broker's RESPONSE_TIMEOUT for the timed-out and the cancelled call arrive late: ignored quietly.
        try await requestorEvents.waitForCount(3, "RESPONSE_TIMEOUT frames", timeout: .seconds(3)) {
            if case .frame(.inbound, .rpc(let m)?, _, _) = $0 { m.action == .responseTimeout } else { false }
        }
        #expect(await requestorEvents.errorKinds.isEmpty)
        #expect(await requestor.state == .open)
        #expect(broker.pendingCallCount == 0)
        await provider.close()
        await requestor.close()
        await broker.shutdown()
    }

    @Test("login failures and TOO_MANY_AUTH_ATTEMPTS against the broker's users auth")
    func loginFailures() async throws {
        let configuration = try Self.configuration {
            $0.authentication = try Self.users()
            $0.maxAuthAttempts = 3
        }
        let (broker, port) = try await Self.started(configuration)
        let (good, _) = try Self.engine(port: port)
        await #expect(throws: LoginError.rejected(reason: nil)) { try await good.login(username: "userA", password: "nope") }
        #expect(try await good.login(username: "userA", password: "secretA") == .null)
        let (bad, badEvents) = try Self.engine(port: port)
        await #expect(throws: LoginError.rejected(reason: ["error": "missing authentication parameter: password"])) {
            try await bad.login(["username": "userA"])
        }
        await #expect(throws: LoginError.rejected(reason: nil)) { try await bad.login(username: "userB", password: "x") }
        await #expect(throws: LoginError.rejected(reason: nil)) { try await bad.login(username: "userB", password: "y") }
        try await badEvents.waitForState(.tooManyAuthAttempts)
        await #expect(throws: LoginError.closed(.tooManyAuthAttempts)) { try await bad.login(username: "userB", password: "secretB") }
        // Terminal and nothing armed: no timer can ever reconnect it.
        #expect(await bad.armedTimers.isEmpty)
        #expect(await bad.state == .tooManyAuthAttempts)
        #expect(await !badEvents.states.contains(.reconnecting))
        await good.close()
        await broker.shutdown()
    }

    @Test("reconnect: broker stops and starts again on the same port; provider re-provided, offline calls buffered or failed")
    func reconnect() async throws {
        let (first, port) = try await Self.started(Self.configuration())
        let (engine, events) = try Self.engine(port: port, options: testOptions(offlineBuffer: .seconds(3)))
        try await engine.login(["username": "me"])
        try await engine.provide("add-two-numbers") { data, response, _ in
            response.send(.int((data?["numA"]?.intValue ?? 0) + (data?["numB"]?.intValue ?? 0)))
        }
        try await Self.acked(events, "add-two-numbers")
        #expect(try await engine.make("add-two-numbers", data: ["numA": 1, "numB": 1]) == 2)

        await first.shutdown()
        try await events.waitForState(.reconnecting)
        let buffered = Task { try await engine.make("add-two-numbers", data: ["numA": 4, "numB": 7]) }
        try await events.waitForOutgoing(.requested(data: #"{"numA":4,"numB":7}"#))
        let (second, _) = try await Self.started(Self.configuration(port: port))
        #expect(try await buffered.value == 11)
        try await events.waitForCount(2, "provide acks") {
            if case .providerAcknowledged("add-two-numbers", true, _) = $0 { true } else { false }
        }
        #expect(try await engine.make("add-two-numbers", data: ["numA": 5, "numB": 5]) == 10)

        // Offline longer than the buffer: the call fails as client offline.
        await second.shutdown()
        try await events.waitForCount(2, "reconnecting") { if case .stateChanged(_, .reconnecting, _) = $0 { true } else { false } }
        let (shortEngine, shortEvents) = try Self.engine(port: port, options: testOptions(offlineBuffer: .milliseconds(200)))
        let (third, _) = try await Self.started(Self.configuration(port: port))
        try await shortEngine.login()
        await third.shutdown()
        try await shortEvents.waitForState(.reconnecting)
        await #expect(throws: RPCError.clientOffline) { try await shortEngine.make("add-two-numbers", data: 1) }
        await engine.close()
        await shortEngine.close()
    }

    @Test("heartbeats against the broker: PINGs get PONGs, the link stays OPEN")
    func heartbeats() async throws {
        let (broker, port) = try await Self.started(Self.configuration())
        let (engine, events) = try Self.engine(port: port, options: testOptions(heartbeat: .milliseconds(150)))
        try await engine.login()
        try await events.waitForCount(3, "PONG") {
            if case .frame(.inbound, .connection(let m)?, _, _) = $0 { m.action == .pong } else { false }
        }
        #expect(await engine.state == .open)
        #expect(await events.errorKinds.isEmpty)
        await engine.close()
        await broker.shutdown()
    }

    @Test("a request over the broker's maxMessageSize: messageTooBig with the size and close code 1009, then reconnected")
    func messageTooBigForTheServer() async throws {
        let (broker, port) = try await Self.started(Self.configuration { $0.maxMessageSize = 1024 })
        let (provider, providerEvents) = try Self.engine(port: port)
        let (requestor, requestorEvents) = try Self.engine(port: port)
        try await provider.login()
        try await requestor.login()
        try await provider.provide("echo") { data, response, _ in response.send(data) }
        try await Self.acked(providerEvents, "echo")
        #expect(try await requestor.make("echo", data: "small") == "small")

        let big = JSONValue.string(String(repeating: "x", count: 5000))
        let size = BinaryCodec.encodedSize(of: .rpc(RPCMessage(action: .request, data: big.jsonText, correlationId: "c", name: "echo")))
        do {
            _ = try await requestor.make("echo", data: big)
            Issue.record("expected messageTooBig")
        } catch {
            guard case .messageTooBig(let reported, .server(closeCode: 1009)) = error else {
                Issue.record("unexpected \(error)")
                throw error
            }
            // The correlation id differs in length from "c"; the payload dominates.
            #expect(abs(reported - size) < 40)
            #expect(error.description == "message too big: the request is \(RPCError.grouped(reported)) bytes and the server closed the connection with 1009 (its maxMessageSize is smaller)")
        }
        try await requestorEvents.waitFor("abandoned: message too big") {
            if case .outgoingCall(let e) = $0, case .abandoned(let reason) = e.step { reason.contains("closed the connection with 1009") } else { false }
        }
        // The connection was lost with the call; the engine reconnects and works again.
        try await requestorEvents.waitForCount(2, "OPEN") { if case .stateChanged(_, .open, _) = $0 { true } else { false } }
        #expect(try await requestor.make("echo", data: "again") == "again")
        await provider.close()
        await requestor.close()
        await broker.shutdown()
    }
}
