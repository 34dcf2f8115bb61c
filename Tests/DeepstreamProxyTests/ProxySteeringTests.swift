import DeepstreamBroker
import DeepstreamClient
import DeepstreamProtocol
import DeepstreamProxy
import RPCSteering
import Testing

/// Steering rules in the proxy's forwarding path (issue 13): real client engines through the real
/// proxy to the embedded broker (standing in for deepstream); each action as the apps see it.
@Suite("Proxy steering: rules acting on frames between real sockets")
struct ProxySteeringTests {
    static let rulesFile = #"""
        {"rules": [
          {"match": "pay", "action": "fail", "error": {"code": "card declined"}},
          {"match": "slow", "action": "delay", "ms": 300},
          {"match": "pick", "provider": "A", "action": "reject"},
          {"match": "only-a", "action": "reject"},
          {"match": "lossy", "action": "drop-response"},
          {"match": "late", "action": "delay", "on": "response", "ms": 250}
        ]}
        """#

    @Test("fail, delay (request and response), reject (reroute and NO_RPC_PROVIDER) and drop-response through the proxy")
    func everyAction() async throws {
        let (broker, brokerPort) = try await EngineThroughProxyTests.broker()
        let rules = try SteeringRules(parsing: Self.rulesFile, file: "rules.json")
        let (proxy, port) = try await startProxy(upstreamPort: brokerPort) { $0.steering = rules }
        let events = EventCollector(proxy.events(includingFrames: false))
        let providerA = try EngineThroughProxyTests.engine(port: port)
        let providerB = try EngineThroughProxyTests.engine(port: port)
        let requestor = try EngineThroughProxyTests.engine(port: port)
        _ = try await providerA.login(["username": "A"])
        _ = try await providerB.login(["username": "B"])
        _ = try await requestor.login(["username": "web"])
        let served = ServedNames()
        for name in ["pay", "slow", "pick", "only-a", "lossy", "late"] {
            try await providerA.provide(name) { data, response, _ in
                Task { await served.add(name) }
                response.send(data ?? "A")
            }
        }
        try await providerB.provide("pick") { _, response, _ in response.send("B") }
        try await events.waitFor("providers registered") { all in
            all.filter { if case .providerAdded = $0 { true } else { false } }.count == 7
        }

        // fail: REQUEST_ERROR with the rule's error; the provider never sees the call.
        await #expect(throws: RPCError.requestError(["code": "card declined"])) { try await requestor.make("pay", data: 1) }
        #expect(await served.names.contains("pay") == false)
        try await events.waitFor("the failed call's timeline") { _ in
            events.steps.contains { $0.hasPrefix("pay") && $0.contains("steered 1 fail") }
                && events.steps.contains { $0.hasPrefix("pay") && $0.contains("errored") }
        }

        // delay (request): answered, but not before the delay.
        let start = ContinuousClock.now
        #expect(try await requestor.make("slow", data: 2) == 2)
        #expect(ContinuousClock.now - start >= .milliseconds(300))

        // reject with a provider filter: A's REQUEST is answered REJECT on its behalf, B answers.
        // The server chooses between A and B at random: call until it chose A at least once (every
        // answer must still be B's).
        for _ in 0..<40 {
            #expect(try await requestor.make("pick", data: 3) == "B")
            if events.steps.contains(where: { $0.hasPrefix("pick") && $0.contains("steered 3 reject") }) { break }
        }
        #expect(await served.names.contains("pick") == false)
        // reject of the only provider: NO_RPC_PROVIDER.
        await #expect(throws: RPCError.noRPCProvider) { try await requestor.make("only-a", data: 4) }

        // drop-response: the answer never arrives; the server's response timeout ends the call.
        await #expect(throws: RPCError.responseTimeout) { try await requestor.make("lossy", data: 5) }
        #expect(await served.names.contains("lossy"))

        // delay (response): the answer arrives late.
        let lateStart = ContinuousClock.now
        #expect(try await requestor.make("late", data: 6) == 6)
        #expect(ContinuousClock.now - lateStart >= .milliseconds(250))

        try await events.waitFor("steered steps in the timelines") { _ in
            let steps = events.steps
            return steps.contains { $0.hasPrefix("slow") && $0.contains("steered 2 delay-request") }
                && steps.contains { $0.hasPrefix("pick") && $0.contains("steered 3 reject") }
                && steps.contains { $0.hasPrefix("lossy") && $0.contains("steered 5 drop-response") }
                && steps.contains { $0.hasPrefix("late") && $0.contains("steered 6 delay-response") }
        }
        // A dropped answer is not in the timeline (the requestor never got it): the call ends as a
        // timeout; a delayed answer is seen when it goes on, after the steering step.
        try await events.waitFor("lossy ends") { _ in events.steps.contains { $0.hasPrefix("lossy") && $0.contains("failed RESPONSE_TIMEOUT") } }
        #expect(!events.steps.contains { $0.hasPrefix("lossy") && $0.contains("responded") }, "\(events.steps)")
        let late = events.steps.filter { $0.hasPrefix("late") }
        #expect((late.firstIndex { $0.contains("steered 6") } ?? 99) < (late.firstIndex { $0.contains("responded") } ?? -1), "\(late)")
        // Other traffic on the same connections is untouched: a plain call still works.
        try await providerB.provide("plain") { data, response, _ in response.send(data) }
        try await events.waitFor("plain registered") { all in
            all.contains { if case .providerAdded(_, "plain", _) = $0 { true } else { false } }
        }
        #expect(try await requestor.make("plain", data: ["x": [1, 2]]) == ["x": [1, 2]])

        await requestor.close()
        await providerA.close()
        await providerB.close()
        await proxy.shutdown()
        await broker.shutdown()
    }

    @Test("A delayed frame keeps the connection's order: a later request waits behind it")
    func delayKeepsOrder() async throws {
        let (broker, brokerPort) = try await EngineThroughProxyTests.broker()
        let rules = try SteeringRules(parsing: #"{"rules": [{"match": "first", "action": "delay", "ms": 300}]}"#, file: "rules.json")
        let (proxy, port) = try await startProxy(upstreamPort: brokerPort) { $0.steering = rules }
        let provider = try EngineThroughProxyTests.engine(port: port)
        let requestor = try EngineThroughProxyTests.engine(port: port)
        _ = try await provider.login(["username": "P"])
        _ = try await requestor.login(["username": "R"])
        let served = ServedNames()
        let acknowledgements = provider.events()
        for name in ["first", "second"] {
            try await provider.provide(name) { data, response, _ in
                Task { await served.add(name) }
                response.send(data)
            }
        }
        var acknowledged = 0
        for await event in acknowledgements {
            if case .providerAcknowledged(_, true, _) = event { acknowledged += 1 }
            if acknowledged == 2 { break }
        }
        async let first = requestor.make("first", data: 1)
        try await Task.sleep(for: .milliseconds(20))
        async let second = requestor.make("second", data: 2)
        #expect(try await second == 2)
        #expect(try await first == 1)
        #expect(await served.names == ["first", "second"], "the provider saw them in the order they were sent")
        await requestor.close()
        await provider.close()
        await proxy.shutdown()
        await broker.shutdown()
    }

    @Test("Frame cutter: frames split anywhere come out whole; masked and unmasked frames round-trip; a 101 head passes first")
    func cutter() {
        let payload = Array("hello steering".utf8)
        let masked = FrameCutter.binaryFrame(payload, maskKey: (1, 2, 3, 4))
        let plain = FrameCutter.binaryFrame(Array(repeating: 7, count: 300), maskKey: nil)
        let head = Array("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n".utf8)
        let stream = head + masked + plain
        for split in [1, 2, 3, 7, 60, stream.count - 1] {
            var cutter = FrameCutter(expectingResponseHead: true)
            let pieces = cutter.cut(stream[..<split]) + cutter.cut(stream[split...])
            #expect(pieces.count == 3, "split at \(split)")
            #expect(pieces.first == .raw(head))
            guard pieces.count == 3, case .frame(let one) = pieces[1], case .frame(let two) = pieces[2] else { continue }
            #expect(one.payload == payload && one.raw == masked && one.opcode == 2 && one.isFinal)
            #expect(two.payload == Array(repeating: 7, count: 300) && two.raw == plain)
        }
        // Not an upgrade: everything passes as raw bytes.
        var refused = FrameCutter(expectingResponseHead: true)
        let notUpgraded = Array("HTTP/1.1 400 Bad Request\r\n\r\nbody".utf8)
        #expect(refused.cut(notUpgraded) == [.raw(Array(notUpgraded[..<28])), .raw(Array("body".utf8))])
        #expect(!refused.isCutting)
        // A frame over the limit gives up cutting, forwarding everything raw.
        var small = FrameCutter(expectingResponseHead: false, frameLimit: 100)
        #expect(small.cut(plain) == [.raw(plain)])
        #expect(!small.isCutting)
    }
}

/// The names a provider served, in order.
actor ServedNames {
    private(set) var names: [String] = []
    func add(_ name: String) { names.append(name) }
}

/// Switching a provider off in proxy mode (issue 13): without any rule, the connection starts cutting
/// frames at a boundary and the proxy answers the server's REQUESTs for that provider with REJECT.
@Suite("Proxy: a provider switched off from the console")
struct ProxySwitchOffTests {
    @Test("Switched off: the other provider answers, or NO_RPC_PROVIDER; the timeline says why; switched on again it answers")
    func switchOff() async throws {
        let (broker, brokerPort) = try await EngineThroughProxyTests.broker()
        let (proxy, port) = try await startProxy(upstreamPort: brokerPort)
        let events = EventCollector(proxy.events(includingFrames: false))
        let providerA = try EngineThroughProxyTests.engine(port: port)
        let providerB = try EngineThroughProxyTests.engine(port: port)
        let requestor = try EngineThroughProxyTests.engine(port: port)
        _ = try await providerA.login(["username": "A"])
        _ = try await providerB.login(["username": "B"])
        _ = try await requestor.login(["username": "web"])
        let servedA = ServedNames()
        for name in ["pick", "solo"] {
            try await providerA.provide(name) { data, response, _ in
                Task { await servedA.add(name) }
                response.send("A")
            }
        }
        try await providerB.provide("pick") { _, response, _ in response.send("B") }
        try await events.waitFor("providers registered") { all in
            all.filter { if case .providerAdded = $0 { true } else { false } }.count == 3
        }
        let peerA = try #require(events.all.compactMap { event -> PeerID? in
            if case .providerAdded(let peer, "solo", _) = event { peer } else { nil }
        }.first)
        #expect(try await requestor.make("solo", data: 1) == "A")

        await proxy.switchProvider(peer: peerA, name: "solo", off: true)
        await proxy.switchProvider(peer: peerA, name: "pick", off: true)
        await #expect(throws: RPCError.noRPCProvider) { try await requestor.make("solo", data: 2) }
        for _ in 0..<12 { #expect(try await requestor.make("pick", data: 3) == "B") }
        #expect(await servedA.names == ["solo"], "A saw nothing after it was switched off")
        try await events.waitFor("the switch in the timeline") { _ in
            events.steps.contains { $0.hasPrefix("solo") && $0.contains("steered 0 switched-off") }
        }

        await proxy.switchProvider(peer: peerA, name: "solo", off: false)
        #expect(try await requestor.make("solo", data: 4) == "A")
        await requestor.close()
        await providerA.close()
        await providerB.close()
        await proxy.shutdown()
        await broker.shutdown()
    }
}

/// Rules replaced live in proxy mode (the console's Rules overlay): open byte-copying connections
/// start cutting at a frame boundary and follow the new rules; removing them restores plain calls.
@Suite("Proxy: rules replaced live")
struct ProxyLiveRulesTests {
    @Test("No rules, then a fail rule, then none: the open connections follow each change")
    func replaceRules() async throws {
        let (broker, brokerPort) = try await EngineThroughProxyTests.broker()
        let (proxy, port) = try await startProxy(upstreamPort: brokerPort)
        let events = EventCollector(proxy.events(includingFrames: false))
        let provider = try EngineThroughProxyTests.engine(port: port)
        let requestor = try EngineThroughProxyTests.engine(port: port)
        _ = try await provider.login(["username": "P"])
        _ = try await requestor.login(["username": "R"])
        try await provider.provide("pay") { data, response, _ in response.send(data) }
        try await events.waitFor("provider registered") { all in
            all.contains { if case .providerAdded(_, "pay", _) = $0 { true } else { false } }
        }
        #expect(try await requestor.make("pay", data: 1) == 1)
        await proxy.replaceRules(try SteeringRules(parsing: #"{"rules": [{"match": "pay", "action": "fail", "error": "now failing"}]}"#, file: "live"))
        await #expect(throws: RPCError.requestError("now failing")) { try await requestor.make("pay", data: 2) }
        try await events.waitFor("the live rule in the timeline") { _ in
            events.steps.contains { $0.hasPrefix("pay") && $0.contains("steered 1 fail") }
        }
        await proxy.replaceRules(SteeringRules())
        #expect(try await requestor.make("pay", data: 3) == 3)
        await requestor.close()
        await provider.close()
        await proxy.shutdown()
        await broker.shutdown()
    }
}
