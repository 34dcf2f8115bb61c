import DeepstreamBroker
import DeepstreamProtocol
import Testing

@Suite("Broker over HTTP: health check, unknown paths, bind errors")
struct BrokerHTTPTests {
    @Test("GET /health-check answers 200")
    func healthCheck() async throws {
        try await withBroker { _, port in
            let response = try await rawExchange(
                port: port, request: "GET /health-check HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            #expect(response.hasPrefix("HTTP/1.1 200 OK"))
        }
    }

    @Test("Any other path answers 404, also for a WebSocket upgrade")
    func notFound() async throws {
        try await withBroker { _, port in
            let plain = try await rawExchange(port: port, request: "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(plain.hasPrefix("HTTP/1.1 404"))
            await #expect(throws: TestClientError.self) {
                _ = try await TestWebSocketClient.connect(port: port, path: "/deepstream-v3")
            }
            let upgrade = try await rawExchange(
                port: port,
                request: "GET /other HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
            #expect(upgrade.hasPrefix("HTTP/1.1 404"))
        }
    }

    @Test("Binding a port in use fails with a one-line reason")
    func portInUse() async throws {
        try await withBroker { _, port in
            let second = Broker(configuration: testConfiguration { $0.port = port })
            do throws(BrokerStartError) {
                try await second.start()
                Issue.record("second broker bound the same port")
            } catch {
                #expect(error.description == "cannot listen on 127.0.0.1:\(port): address already in use")
            }
            await second.shutdown()
        }
    }
}
