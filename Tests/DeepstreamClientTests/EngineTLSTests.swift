import DeepstreamClient
import DeepstreamProtocol
import NIOSSL
import Testing

/// `wss://` through swift-nio-ssl against the scripted peer with a self-signed certificate.
@Suite("ClientEngine over wss")
struct EngineTLSTests {
    /// A self-signed P-256 certificate for localhost / 127.0.0.1, valid until 2126.
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
        let configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(try NIOSSLCertificate(bytes: Array(certificate.utf8), format: .pem))],
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(key.utf8), format: .pem)))
        return try NIOSSLContext(configuration: configuration)
    }

    @Test("wss: login and an RPC round trip over TLS with a trusted self-signed certificate")
    func roundTrip() async throws {
        let peer = TestPeer()
        let port = try await peer.start(tls: try Self.serverContext())
        var options = testOptions()
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates([try NIOSSLCertificate(bytes: Array(Self.certificate.utf8), format: .pem)])
        options.tlsConfiguration = tls
        let engine = try ClientEngine(url: "wss://localhost:\(port)", options: options)
        let events = EventRecorder(engine)
        try await engine.login()
        try await engine.provide("echo") { data, response, _ in response.send(data) }
        try await events.waitFor { if case .providerAcknowledged("echo", true, _) = $0 { true } else { false } }
        #expect(try await engine.make("echo", data: ["tls": true]) == ["tls": true])
        let challenge = await peer.messages.first
        if case .connection(let m)? = challenge {
            #expect(m.url == "wss://localhost:\(port)/deepstream")
        } else {
            Issue.record("first message is not a CHALLENGE")
        }
        await engine.close()
        await peer.stop()
    }

    @Test("wss: an untrusted certificate fails the connection (no plaintext fallback)")
    func untrusted() async throws {
        let peer = TestPeer()
        let port = try await peer.start(tls: try Self.serverContext())
        var options = testOptions(maxAttempts: 1)
        options.tlsConfiguration = .makeClientConfiguration()
        let engine = try ClientEngine(url: "wss://localhost:\(port)", options: options)
        let events = EventRecorder(engine)
        await #expect(throws: LoginError.closed(.closed)) { try await engine.login() }
        let errors = await events.events.compactMap { if case .error("CONNECTION_ERROR", let m, _) = $0 { m } else { nil } }
        #expect(!errors.isEmpty)
        #expect(await peer.messages.isEmpty)
        await peer.stop()
    }
}
