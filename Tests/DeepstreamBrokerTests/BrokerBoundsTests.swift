import DeepstreamBroker
import DeepstreamProtocol
import Testing

@Suite("Broker resource bounds")
struct BrokerBoundsTests {
    @Test("A requestor that stops reading is dropped when its outgoing buffer is full; others go on")
    func slowReader() async throws {
        let broker = Broker(configuration: testConfiguration { $0.maxOutboundBufferSize = 64 * 1024 })
        let events = broker.tap(bufferingNewest: 100_000)
        let port = try await broker.start().port!
        let provider = try await loggedInClient(port: port)
        try await provider.provide(["big"])
        let sleeper = try await loggedInClient(port: port)
        try await sleeper.channel.setOption(.autoRead, value: false).get()
        let payload = "\"" + String(repeating: "x", count: 60_000) + "\""
        var answered = 0
        for i in 0..<400 {
            try await sleeper.request("big", correlationId: "\(i)")
            guard let request = try? await provider.nextRPC(timeout: .milliseconds(500)) else { break }
            if request.action != .request { break }
            try await provider.reply(.response, to: request, data: payload)
            answered += 1
        }
        let other = try await loggedInClient(port: port)
        try await other.send(.ping)
        #expect(try await other.nextMessage() == .pong)
        await broker.shutdown()
        var reason: String?
        for await event in events {
            if case .disconnected(PeerID(2), let why, _) = event { reason = why }
        }
        #expect(reason == "too slow: outgoing buffer full")
        #expect(answered < 400)
    }
}
