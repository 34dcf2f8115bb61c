import DeepstreamClient
import DeepstreamProtocol
import NIOSSL
import TestSupport
import Testing

/// `wss://` through swift-nio-ssl against the scripted peer with a self-signed certificate.
@Suite("ClientEngine over wss")
struct EngineTLSTests {
    @Test("wss: login and an RPC round trip over TLS with a trusted self-signed certificate")
    func roundTrip() async throws {
        let peer = TestPeer()
        let port = try await peer.start(tls: try TestCertificate.serverContext())
        var options = testOptions()
        let tls = try TestCertificate.clientConfiguration()
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
        let port = try await peer.start(tls: try TestCertificate.serverContext())
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
