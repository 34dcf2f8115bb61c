import DeepstreamProtocol
import DeepstreamProxy
import NIOSSL
import Testing

/// A `wss://` upstream: the proxy speaks TLS to it while the application speaks plain ws to the proxy.
@Suite("Proxy with a wss upstream")
struct TLSUpstreamTests {
    /// A self-signed P-256 certificate for localhost / 127.0.0.1 (the client engine's TLS test vector).
    static let certificate = """
        -----BEGIN CERTIFICATE-----
        MIIBmjCCAUGgAwIBAgIUTekU71IvSBRdlYY+xTbRzewy3iUwCgYIKoZIzj0EAwIw
        FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyNTE3MDU1OFoYDzIxMjYxMTAx
        MTcwNTU4WjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
        PQMBBwNCAAScjsD6umurtfz8k70KrxtddTbKzkAcMmPmq5fRt48XHr9B9X4sERtB
        WtnC2Vm30ELaZGp7yyZuXXTEYhxSCFVZo28wbTAdBgNVHQ4EFgQUtfiz1DBnzehn
        PwtBRvJSyzAXkQ4wHwYDVR0jBBgwFoAUtfiz1DBnzehnPwtBRvJSyzAXkQ4wDwYD
        VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARgglsb2NhbGhvc3SHBH8AAAEwCgYIKoZI
        zj0EAwIDRwAwRAIgR2hgsSN+Ynfg82ZGK/EGZ8U9Tq8fbU1505bfv0unIH8CIHf5
        76WjzVBi8yXvKKjFvJKDRBXe/BFi86VY9TDs6F4U
        -----END CERTIFICATE-----
        """
    static let key = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgjHnYYoxDhenqbwKY
        353ktgOWsPpfQgjR/IQDhmowa/GhRANCAAScjsD6umurtfz8k70KrxtddTbKzkAc
        MmPmq5fRt48XHr9B9X4sERtBWtnC2Vm30ELaZGp7yyZuXXTEYhxSCFVZ
        -----END PRIVATE KEY-----
        """

    static func serverContext() throws -> NIOSSLContext {
        try NIOSSLContext(configuration: .makeServerConfiguration(
            certificateChain: [.certificate(try NIOSSLCertificate(bytes: Array(certificate.utf8), format: .pem))],
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(key.utf8), format: .pem))))
    }

    @Test("frames cross a TLS upstream byte for byte in both directions; Host names the upstream")
    func wssUpstream() async throws {
        let upstream = try await RawServer.start(tls: try Self.serverContext())
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates([try NIOSSLCertificate(bytes: Array(Self.certificate.utf8), format: .pem)])
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
        let upstream = try await RawServer.start(tls: try Self.serverContext())
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
