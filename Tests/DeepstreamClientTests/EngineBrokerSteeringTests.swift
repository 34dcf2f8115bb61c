import DeepstreamBroker
import DeepstreamClient
import DeepstreamProtocol
import Foundation
import RPCSteering
import Testing

/// Steering rules on the real embedded broker over real sockets: clients see the injected error, delay,
/// reroute and timeout (issue 13).
@Suite("Steering rules on the embedded broker, end to end")
struct EngineBrokerSteeringTests {
    /// The rules come from a real file, as `--rules FILE` reads them.
    static func rules(_ text: String) throws -> SteeringRules {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rules-\(UUID().uuidString).json").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try SteeringRules(parsing: String(contentsOfFile: path, encoding: .utf8), file: path)
    }

    static let file = """
        {"rules": [
          {"match": "payments.*", "action": "fail", "error": "card declined"},
          {"match": "search", "action": "delay", "ms": "200..260"},
          {"match": "slow-answer", "action": "delay", "on": "response", "ms": 150},
          {"match": "fragile", "action": "reject"},
          {"match": "pick", "provider": "A", "action": "reject"},
          {"match": "lossy", "requestor": "web", "action": "drop-response"}
        ]}
        """

    @Test("fail, delay (request and response), reject (reroute and NO_RPC_PROVIDER) and drop-response")
    func everyAction() async throws {
        let rules = try Self.rules(Self.file)
        let (broker, port) = try await EngineBrokerTests.started(EngineBrokerTests.configuration { $0.steering = rules })
        let (providerA, eventsA) = try EngineBrokerTests.engine(port: port)
        let (providerB, eventsB) = try EngineBrokerTests.engine(port: port)
        let (requestor, requestorEvents) = try EngineBrokerTests.engine(port: port)
        await requestor.relay(broker.tap())
        try await providerA.login(["username": "A"])
        try await providerB.login(["username": "B"])
        try await requestor.login(["username": "web"])
        let served = ServedCounter()
        for name in ["payments.charge", "search", "slow-answer", "fragile", "pick", "lossy"] {
            try await providerA.provide(name) { data, response, _ in
                Task { await served.add(name) }
                response.send(data ?? "A")
            }
            try await EngineBrokerTests.acked(eventsA, name)
        }
        try await providerB.provide("pick") { _, response, _ in response.send("B") }
        try await EngineBrokerTests.acked(eventsB, "pick")

        // fail: the requestor sees REQUEST_ERROR with the rule's error; the provider never sees the call.
        await #expect(throws: RPCError.requestError("card declined")) {
            try await requestor.make("payments.charge", data: ["amount": 5])
        }
        try await requestorEvents.waitFor("steered fail on the tap") {
            if case .traffic(.call(let e)) = $0 { e.step == .steered(rule: 1, action: "fail", detail: "\"card declined\"") } else { false }
        }

        // delay request: answered, no sooner than the smallest delay.
        let clock = ContinuousClock()
        var start = clock.now
        #expect(try await requestor.make("search", data: "q") == "q")
        #expect(clock.now - start >= .milliseconds(200))
        try await requestorEvents.waitFor("steered delay on the tap") {
            if case .traffic(.call(let e)) = $0, case .steered(2, "delay-request", let detail?) = e.step {
                (200...260).contains(Int(detail.dropLast(3)) ?? -1)
            } else { false }
        }

        // delay response: answered late, and the provider saw the call.
        start = clock.now
        #expect(try await requestor.make("slow-answer", data: 3) == 3)
        #expect(clock.now - start >= .milliseconds(150))

        // reject with the only provider: NO_RPC_PROVIDER, as if it had gone away.
        await #expect(throws: RPCError.noRPCProvider) { try await requestor.make("fragile") }

        // reject by provider user: every call ends at B, whichever provider the broker picks first.
        for _ in 0..<6 { #expect(try await requestor.make("pick") == "B") }

        // drop-response: the broker's own RESPONSE_TIMEOUT ends the call.
        await #expect(throws: RPCError.responseTimeout) { try await requestor.make("lossy") }

        let servedNames = await served.names
        #expect(servedNames.contains("lossy") && servedNames.contains("slow-answer"))
        #expect(!servedNames.contains("payments.charge"))
        #expect(broker.pendingCallCount == 0)
        await providerA.close()
        await providerB.close()
        await requestor.close()
        await broker.shutdown()
    }
}

/// Which RPCs a test provider was called for.
actor ServedCounter {
    private(set) var names: [String] = []
    func add(_ name: String) { names.append(name) }
}
