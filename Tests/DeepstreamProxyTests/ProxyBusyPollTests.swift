import DeepstreamBroker
import DeepstreamClient
import DeepstreamProtocol
import DeepstreamProxy
import Testing

@Suite("Proxy with busy-poll on")
struct ProxyBusyPollTests {
    @Test("Calls pass through two busy-polling forwarding loops to the broker and back")
    func callsThroughPollingLoops() async throws {
        let (broker, brokerPort) = try await EngineThroughProxyTests.broker()
        let (proxy, port) = try await startProxy(upstreamPort: brokerPort) {
            $0.busyPollWindow = .milliseconds(10)
            $0.threads = 2
        }
        let events = EventCollector(proxy.events(includingFrames: false))
        let provider = try EngineThroughProxyTests.engine(port: port)
        let requestor = try EngineThroughProxyTests.engine(port: port)
        _ = try await provider.login(username: "provider", password: "")
        _ = try await requestor.login(username: "requestor", password: "")
        try await provider.provide("double") { data, response, _ in
            response.send(.int((data?.intValue ?? 0) * 2))
        }
        // The PROVIDE went through the proxy to the broker before the first REQUEST does.
        try await events.waitFor("provider added") { all in
            all.contains { if case .providerAdded(_, "double", _) = $0 { true } else { false } }
        }
        for value in 1...10 {
            #expect(try await requestor.make("double", data: .int(value)) == .int(value * 2))
        }
        let counts = await proxy.busyPollCounts()
        #expect(counts.tasks > 0)
        #expect(counts.checks >= counts.tasks)
        // Replies came back while a loop polled (each within 10 ms of the input before it).
        #expect(counts.hits > 0)
        await provider.close()
        await requestor.close()
        await proxy.shutdown()
        await broker.shutdown()
    }
}
