import DeepstreamBroker
import DeepstreamProtocol
import Testing

@Suite("BrokerCore: sessions, heartbeats and timers together, without sockets")
struct BrokerCoreTests {
    let t0 = Timestamp(nanoseconds: 5_000_000_000)
    let p = PeerID(1)

    func core(_ adjust: (inout BrokerConfiguration) -> Void = { _ in }) -> BrokerCore {
        var configuration = BrokerConfiguration()
        configuration.heartbeatInterval = .milliseconds(100)
        configuration.unauthenticatedClientTimeout = .milliseconds(500)
        adjust(&configuration)
        return BrokerCore(configuration: configuration, random: SplitMix64(seed: 3))
    }

    @Test("Connecting arms the heartbeat (2 × interval) and login timers")
    func connectArmsTimers() {
        var core = core()
        let actions = core.on(.connected(p, remoteAddress: "x", format: .binary, at: t0))
        #expect(actions.contains(.armTimer(.heartbeat(p), deadline: t0.advanced(by: .milliseconds(200)))))
        #expect(actions.contains(.armTimer(.authentication(p), deadline: t0.advanced(by: .milliseconds(500)))))
    }

    @Test("Heartbeat check re-arms from the last frame received, closes when silent for 2 × interval")
    func heartbeat() {
        var core = core()
        _ = core.on(.connected(p, remoteAddress: "x", format: .binary, at: t0))
        let later = t0.advanced(by: .milliseconds(150))
        _ = core.on(.received(p, message: .ping, at: later))
        #expect(core.on(.timerFired(.heartbeat(p), at: t0.advanced(by: .milliseconds(200))))
            == [.armTimer(.heartbeat(p), deadline: later.advanced(by: .milliseconds(200)))])
        let closing = core.on(.timerFired(.heartbeat(p), at: later.advanced(by: .milliseconds(200))))
        #expect(closing.contains(.close(p, .heartbeatMissing)))
        let gone = core.on(.disconnected(p, reason: "socket closed", at: later))
        #expect(gone.contains(.tap(.disconnected(peer: p, reason: "heartbeat missing", at: later))))
        #expect(core.connectionCount == 0)
    }

    @Test("Login success cancels the login timer, joins the router, taps loggedIn")
    func login() {
        var core = core()
        _ = core.on(.connected(p, remoteAddress: "x", format: .json, at: t0))
        _ = core.on(.received(p, message: .connection(ConnectionMessage(action: .challenge)), at: t0))
        #expect(core.on(.received(p, message: .auth(AuthMessage(action: .request, data: #"{"username":"u"}"#)), at: t0))
            == [.authenticate(p, authData: ["username": "u"])])
        let actions = core.on(.authenticated(p, .success(user: "u", clientData: nil), at: t0))
        #expect(actions == [
            .cancelTimer(.authentication(p)), .tap(.loggedIn(peer: p, user: "u", clientData: nil, at: t0)),
            .send(p, .auth(AuthMessage(action: .authSuccessful))),
        ])
        #expect(core.on(.timerFired(.authentication(p), at: t0)).isEmpty)
        #expect(core.on(.authenticated(PeerID(99), .success(user: "x", clientData: nil), at: t0)).isEmpty)
    }

    @Test("The login timer keeps running after a failed attempt (reference quirk fixed)")
    func loginTimerAfterFailure() {
        var core = core()
        _ = core.on(.connected(p, remoteAddress: "x", format: .binary, at: t0))
        _ = core.on(.received(p, message: .connection(ConnectionMessage(action: .challenge)), at: t0))
        _ = core.on(.received(p, message: .auth(AuthMessage(action: .request, data: "{}")), at: t0))
        let failed = core.on(.authenticated(p, .failure(user: nil, clientData: nil), at: t0))
        #expect(!failed.contains(.cancelTimer(.authentication(p))))
        #expect(core.on(.timerFired(.authentication(p), at: t0)).contains(.close(p, .authenticationTimeout)))
    }

    @Test("Terminate fails pending calls with RESPONSE_TIMEOUT and closes everyone")
    func terminate() {
        var core = core()
        let provider = PeerID(2)
        for peer in [p, provider] {
            _ = core.on(.connected(peer, remoteAddress: "x", format: .binary, at: t0))
            _ = core.on(.received(peer, message: .connection(ConnectionMessage(action: .challenge)), at: t0))
            _ = core.on(.received(peer, message: .auth(AuthMessage(action: .request, data: "{}")), at: t0))
            _ = core.on(.authenticated(peer, .success(user: "u", clientData: nil), at: t0))
        }
        _ = core.on(.received(provider, message: .rpc(RPCMessage(action: .provide, correlationId: "0", names: ["f"])), at: t0))
        _ = core.on(.received(p, message: .rpc(RPCMessage(action: .request, correlationId: "c", name: "f")), at: t0))
        #expect(core.on(.drain(at: t0)).isEmpty)
        let actions = core.on(.terminate(at: t0))
        #expect(actions.contains(.send(p, .rpc(RPCMessage(action: .responseTimeout, correlationId: "c", name: "f")))))
        #expect(actions.contains(.close(p, .shutdown)))
        #expect(actions.contains(.close(provider, .shutdown)))
        #expect(core.router.pendingCallCount == 0)
    }

    @Test("Input for unknown peers is ignored")
    func unknownPeer() {
        var core = core()
        #expect(core.on(.received(PeerID(5), message: .ping, at: t0)).isEmpty)
        #expect(core.on(.disconnected(PeerID(5), reason: "x", at: t0)).isEmpty)
        #expect(core.on(.timerFired(.heartbeat(PeerID(5)), at: t0)).isEmpty)
    }
}
