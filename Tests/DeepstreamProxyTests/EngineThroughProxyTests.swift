import DeepstreamBroker
import DeepstreamClient
import DeepstreamProtocol
import DeepstreamProxy
import Logging
import Testing

/// The project's own engine and raw JS-client-shaped frames through the proxy to the embedded broker.
@Suite("Proxy in front of the embedded broker")
struct EngineThroughProxyTests {
    static func broker(users: Bool = false) async throws -> (Broker, Int) {
        var configuration = BrokerConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.rpc.ackTimeout = .milliseconds(300)
        configuration.rpc.responseTimeout = .milliseconds(600)
        configuration.shutdownGracePeriod = .milliseconds(50)
        if users {
            configuration.authentication = .users(UsersFile(users: [
                "userA": .init(password: try PasswordHash(hashing: "secretA-pw", iterations: 1000)),
                "userB": .init(password: try PasswordHash(hashing: "secretB-pw", iterations: 1000)),
            ]))
        }
        var logger = Logger(label: "test.broker")
        logger.logLevel = .warning
        let broker = Broker(configuration: configuration, logger: logger)
        return (broker, try await broker.start().port ?? 0)
    }

    static func engine(port: Int) throws -> ClientEngine {
        var options = ClientOptions()
        options.heartbeatInterval = .seconds(5)
        options.maxReconnectAttempts = 1
        options.connectTimeout = .seconds(2)
        return try ClientEngine(url: "127.0.0.1:\(port)", options: options)
    }

    @Test("engine provider and requestor through the proxy: users, providers, one call timeline; no password anywhere; batches carry the same events")
    func engineCall() async throws {
        let (broker, brokerPort) = try await Self.broker(users: true)
        let (proxy, port) = try await startProxy(upstreamPort: brokerPort)
        let events = EventCollector(proxy.events(includingFrames: true))
        let batched = EventCollector(batches: proxy.eventBatches(includingFrames: false))
        let provider = try Self.engine(port: port)
        let requestor = try Self.engine(port: port)
        _ = try await provider.login(username: "userA", password: "secretA-pw")
        _ = try await requestor.login(username: "userB", password: "secretB-pw")
        try await provider.provide("add-two-numbers") { data, response, _ in
            response.send(.int((data?["numA"]?.intValue ?? 0) + (data?["numB"]?.intValue ?? 0)))
        }
        try await events.waitFor("provider added") { all in
            all.contains { if case .providerAdded(_, "add-two-numbers", _) = $0 { true } else { false } }
        }
        #expect(try await requestor.make("add-two-numbers", data: ["numA": 4, "numB": 7]) == 11)
        do {
            _ = try await requestor.make("nobody-provides-this", data: ["x": 1])
            Issue.record("expected NO_RPC_PROVIDER")
        } catch {}
        try await events.waitFor("both calls end") { _ in
            events.steps.contains { $0.hasPrefix("nobody-provides-this") && $0.contains("failed NO_RPC_PROVIDER") }
        }
        let users = events.all.compactMap { if case .loggedIn(let p, let u, _, _) = $0 { "\(p) \(u)" } else { nil } }
        #expect(users == ["#1 userA", "#2 userB"])
        let adding = events.steps.filter { $0.hasPrefix("add-two-numbers") }
        #expect(adding == [
            "add-two-numbers #2 requested", "add-two-numbers #2 routed #1", "add-two-numbers #2 accepted #1",
            "add-two-numbers #2 responded 11",
        ])
        let everything = events.all.map { "\($0)" }.joined(separator: "\n")
        #expect(!everything.contains("secretA-pw"))
        #expect(!everything.contains("secretB-pw"))
        await provider.close()
        await requestor.close()
        try await events.waitFor("disconnects and provider removal") { all in
            all.contains { if case .providerRemoved(_, "add-two-numbers", _) = $0 { true } else { false } }
                && all.filter { if case .disconnected = $0 { true } else { false } }.count == 2
        }
        // The batch subscriber saw the same events in the same order, without frames.
        let withoutFrames = events.all.filter { if case .frame = $0 { false } else { true } }
        try await batched.waitFor("the batch subscriber catches up") { $0.count >= withoutFrames.count }
        #expect(!withoutFrames.isEmpty)
        #expect(batched.all.map { "\($0)" } == withoutFrames.map { "\($0)" })
        await proxy.shutdown()
        await broker.shutdown()
    }

    @Test("JS-client-shaped frames, also of topics the broker rejects: the same bytes as without the proxy")
    func sameAsDirect() async throws {
        let (broker, brokerPort) = try await Self.broker()
        let (proxy, port) = try await startProxy(upstreamPort: brokerPort)
        // Client A's side of the mixed-topics capture (records, events, presence, RPC) up to its close.
        let frames = CaptureFrames.mixedTopics.filter { $0.client == "A" && $0.toServer && !$0.hex.hasPrefix("88") }
        func run(_ port: Int) async throws -> [UInt8] {
            let client = try await RawConnection.webSocket(port: port)
            for frame in frames {
                try await client.send(frame.bytes)
            }
            try await client.send(clientFrame(opcode: 2, [0xFF, 0xEE, 0xDD]))
            try await Task.sleep(for: .milliseconds(400))
            let received = client.receivedAfterHead
            await client.close()
            return received
        }
        let direct = try await run(brokerPort)
        let proxied = try await run(port)
        // The broker's replies do not depend on the connection (open auth, no ids of its own) except the
        // RPC correlation ids, which are the client's: the byte streams must be identical.
        #expect(!direct.isEmpty)
        #expect(firstDifference(proxied, direct) == nil)
        await proxy.shutdown()
        await broker.shutdown()
    }
}
