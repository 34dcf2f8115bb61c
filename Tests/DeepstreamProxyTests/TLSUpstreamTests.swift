import DeepstreamProtocol
import DeepstreamProxy
import NIOSSL
import TestSupport
import Testing

/// A `wss://` upstream: the proxy speaks TLS to it while the application speaks plain ws to the proxy.
@Suite("Proxy with a wss upstream")
struct TLSUpstreamTests {
    @Test("frames cross a TLS upstream byte for byte in both directions; Host names the upstream")
    func wssUpstream() async throws {
        let upstream = try await RawServer.start(tls: try TestCertificate.serverContext())
        let tls = try TestCertificate.clientConfiguration()
        var configuration = ProxyConfiguration(upstream: .init(host: "localhost", port: upstream.port, tls: tls))
        configuration.port = 0
        let proxy = try Proxy(configuration: configuration)
        let port = try await proxy.start().port!
        let client = try await RawConnection.webSocket(port: port)
        let server = try await upstream.connection(0)
        #expect(server.log.head.withLockedValue { $0 }?.contains("Host: localhost:\(upstream.port)\r\n") == true)
        let up = CaptureFrames.rpcOpen.filter(\.toServer).prefix(10).flatMap(\.bytes)
        let down = CaptureFrames.rpcOpen.filter { !$0.toServer }.prefix(10).flatMap(\.bytes)
        try await client.send(up)
        try await server.send(down)
        try await eventually("both directions") { server.received.count >= up.count && client.receivedAfterHead.count >= down.count }
        #expect(firstDifference(server.received, up) == nil)
        #expect(firstDifference(client.receivedAfterHead, down) == nil)
        await client.close()
        await upstream.stop()
        await proxy.shutdown()
    }

    @Test("an untrusted upstream certificate closes the client with 1014 and a TLS reason")
    func untrusted() async throws {
        let upstream = try await RawServer.start(tls: try TestCertificate.serverContext())
        var configuration = ProxyConfiguration(
            upstream: .init(host: "localhost", port: upstream.port, tls: .makeClientConfiguration()))
        configuration.port = 0
        let proxy = try Proxy(configuration: configuration)
        let port = try await proxy.start().port!
        let client = try await RawConnection.webSocket(port: port)
        try await eventually("client closed") { client.isClosed }
        let frame = client.receivedAfterHead
        #expect(frame.first == 0x88)
        #expect(frame.count > 4 && Int(frame[2]) << 8 | Int(frame[3]) == 1014)
        let reason = String(decoding: frame.dropFirst(4), as: UTF8.self)
        #expect(reason.contains("wss://localhost:\(upstream.port)"), "\(reason)")
        #expect(reason.contains("TLS"), "\(reason)")
        await upstream.stop()
        await proxy.shutdown()
    }
}
