import DeepstreamBroker
import DeepstreamProtocol
import RPCSteering
import Testing

/// Remote provider switch-off (issue 13) on the pure router: a dispatch to a switched-off provider is
/// rejected on its behalf before it sees the request.
@Suite("RPCRouter: providers switched off from the console")
struct RPCRouterSwitchOffTests {
    let t0 = Timestamp(nanoseconds: 1_000_000_000)
    let a = PeerID(1), b = PeerID(2), r = PeerID(10)
    var call: CallID { CallID(requestor: r, correlationId: "1") }
    var request: RPCMessage { RPCMessage(action: .request, data: "5", correlationId: "1", name: "f") }

    func router(providers: [PeerID]) -> RPCRouter {
        var router = RPCRouter(settings: BrokerConfiguration.RPC(), random: SplitMix64(seed: 1))
        router.join(a, user: "A", clientData: nil)
        router.join(b, user: "B", clientData: nil)
        router.join(r, user: "web", clientData: nil)
        for peer in providers {
            _ = router.receive(RPCMessage(action: .provide, correlationId: "0", names: ["f", "g"]), from: peer, at: t0)
        }
        return router
    }

    @Test("The only provider switched off: NO_RPC_PROVIDER, it never sees the request; the timeline says why")
    func onlyProviderOff() {
        var router = router(providers: [a])
        _ = router.apply(.switchProvider(SwitchedOffProvider(peer: a, name: "f"), off: true), at: t0)
        let actions = router.receive(request, from: r, at: t0)
        #expect(sends(actions).map(\.0) == [r])
        #expect(sends(actions).map(\.1.action) == [.noRPCProvider])
        #expect(steps(actions) == [
            .requested(data: "5"), SwitchedOffProvider.step, .rejected(by: a), .failed(reason: .noRPCProvider),
        ])
        #expect(router.pendingCallCount == 0)
    }

    @Test("One of two providers off: every call goes to the other one (rerouted when it was chosen)")
    func rerouteToTheOther() {
        var router = router(providers: [a, b])
        _ = router.apply(.switchProvider(SwitchedOffProvider(peer: a, name: "f"), off: true), at: t0)
        var sawSwitch = false
        for index in 0..<20 {
            let message = RPCMessage(action: .request, data: "5", correlationId: "c\(index)", name: "f")
            let actions = router.receive(message, from: r, at: t0)
            #expect(sends(actions).map(\.0) == [b], "call \(index) went to \(sends(actions).map(\.0))")
            if steps(actions).contains(SwitchedOffProvider.step) {
                sawSwitch = true
                #expect(steps(actions) == [.requested(data: "5"), SwitchedOffProvider.step, .rejected(by: a), .routed(to: b)])
            }
        }
        #expect(sawSwitch, "with seed 1 the random choice picks a at least once in 20 calls")
    }

    @Test("Only the switched name is affected; switching on restores the plain path")
    func otherNameAndSwitchOn() {
        var router = router(providers: [a])
        _ = router.apply(.switchProvider(SwitchedOffProvider(peer: a, name: "f"), off: true), at: t0)
        let g = router.receive(RPCMessage(action: .request, data: "5", correlationId: "g1", name: "g"), from: r, at: t0)
        #expect(sends(g).map(\.0) == [a])
        _ = router.apply(.switchProvider(SwitchedOffProvider(peer: a, name: "f"), off: false), at: t0)
        #expect(router.switchedOff.isEmpty)
        let f = router.receive(request, from: r, at: t0)
        #expect(sends(f).map(\.0) == [a])
        #expect(steps(f) == [.requested(data: "5"), .routed(to: a)])
    }

    @Test("Switching off a registration that does not exist does nothing; leaving or unproviding drops the switch")
    func switchesFollowRegistrations() {
        var router = router(providers: [a, b])
        _ = router.apply(.switchProvider(SwitchedOffProvider(peer: a, name: "nope"), off: true), at: t0)
        #expect(router.switchedOff.isEmpty)
        _ = router.apply(.switchProvider(SwitchedOffProvider(peer: a, name: "f"), off: true), at: t0)
        _ = router.apply(.switchProvider(SwitchedOffProvider(peer: b, name: "g"), off: true), at: t0)
        _ = router.receive(RPCMessage(action: .unprovide, correlationId: "0", names: ["f"]), from: a, at: t0)
        #expect(router.switchedOff == [SwitchedOffProvider(peer: b, name: "g")])
        _ = router.leave(b, at: t0)
        #expect(router.switchedOff.isEmpty)
        // a provides f again: it is on (a fresh registration).
        _ = router.receive(RPCMessage(action: .provide, correlationId: "0", names: ["f"]), from: a, at: t0)
        #expect(sends(router.receive(request, from: r, at: t0)).map(\.0) == [a])
    }

    @Test("A call rerouted by a rule's reject to a switched-off provider ends NO_RPC_PROVIDER")
    func withRules() {
        var router = router(providers: [a, b])
        _ = router.apply(.replaceRules(SteeringRules([SteeringRule(match: GlobPattern("f"), provider: GlobPattern("B"), action: .reject)])), at: t0)
        _ = router.apply(.switchProvider(SwitchedOffProvider(peer: a, name: "f"), off: true), at: t0)
        var actions = router.receive(request, from: r, at: t0)
        // Whichever went first, the call reaches b, whose reply the rule turns into a REJECT.
        #expect(sends(actions).map(\.0) == [b])
        actions = router.receive(RPCMessage(action: .accept, correlationId: "1", name: "f"), from: b, at: t0)
        #expect(sends(actions).map(\.1.action) == [.noRPCProvider])
        #expect(router.pendingCallCount == 0)
    }
}
