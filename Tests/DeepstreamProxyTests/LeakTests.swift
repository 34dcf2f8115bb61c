@testable import DeepstreamProxy
import Testing

/// Connections are freed once both sides are closed (the proxy must not grow with every connection).
@Suite("Proxy connection lifetime")
struct LeakTests {
    @Test("after 30 WebSocket, HTTP and failed connections close, no connection object is left")
    func connectionsAreFreed() async throws {
        let baseline = ProxiedConnection.live.withLockedValue { $0 }
        let upstream = try await RawServer.start()
        let (proxy, port) = try await startProxy(upstreamPort: upstream.port)
        for index in 0..<10 {
            let client = try await RawConnection.webSocket(port: port)
            let server = try await upstream.connection(index)
            let frame = clientFrame(opcode: 2, [1, 2, 3])
            try await client.send(frame)
            try await eventually("frame") { server.received == frame }
            if index.isMultiple(of: 2) { await client.close() } else { await server.close() }
            try await eventually("closed") { client.isClosed || server.isClosed }
        }
        for _ in 0..<10 {
            let http = try await RawConnection.connect(port: port)
            try await http.send(Array("GET /health-check HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
            await http.close()
        }
        let refusing = try await RawServer.start()
        let deadPort = refusing.port
        await refusing.stop()
        let (deadProxy, deadProxyPort) = try await startProxy(upstreamPort: deadPort)
        for _ in 0..<10 {
            let client = try await RawConnection.webSocket(port: deadProxyPort)
            try await eventually("refused client closed") { client.isClosed }
        }
        try await eventually("every connection freed", timeout: .seconds(10)) {
            ProxiedConnection.live.withLockedValue { $0 } <= baseline
        }
        await upstream.stop()
        await proxy.shutdown()
        await deadProxy.shutdown()
    }
}
