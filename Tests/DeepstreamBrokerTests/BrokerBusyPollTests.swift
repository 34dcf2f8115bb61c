import DeepstreamBroker
import DeepstreamProtocol
import Testing

@Suite("Broker with busy-poll on, over real sockets")
struct BrokerBusyPollTests {
    @Test("Calls are routed as without it, and the loop really polled after input")
    func routesWhilePolling() async throws {
        // The longest window, so a slow test machine still gets readiness checks in before it passes.
        let configuration = testConfiguration { $0.busyPollWindow = .milliseconds(10) }
        try await withBroker(configuration) { broker, port in
            let provider = try await loggedInClient(port: port)
            let requestor = try await loggedInClient(port: port)
            try await provider.provide(["echo"])
            for index in 0..<20 {
                try await requestor.request("echo", correlationId: "c\(index)", data: "\(index)")
                let request = try await provider.nextRPC()
                #expect(request == RPCMessage(action: .request, data: "\(index)", correlationId: "c\(index)", name: "echo"))
                try await provider.reply(.accept, to: request)
                #expect(try await requestor.nextRPC().action == .accept)
                try await provider.reply(.response, to: request, data: "\(index * 2)")
                #expect(try await requestor.nextRPC() == RPCMessage(
                    action: .response, data: "\(index * 2)", correlationId: "c\(index)", name: "echo"))
            }
            #expect(broker.pendingCallCount == 0)
            let counts = try #require(await broker.busyPollCounts())
            #expect(counts.tasks > 0)
            #expect(counts.checks >= counts.tasks)
            // Input arrived while the loop polled (each reply comes within 10 ms of the input before).
            #expect(counts.hits > 0)
        }
    }

    @Test("Off by default: no poller")
    func offByDefault() async throws {
        try await withBroker { broker, port in
            let client = try await loggedInClient(port: port)
            try await client.provide(["x"])
            #expect(await broker.busyPollCounts() == nil)
        }
    }
}
