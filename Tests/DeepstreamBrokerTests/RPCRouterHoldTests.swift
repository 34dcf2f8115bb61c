import DeepstreamBroker
import DeepstreamProtocol
import RPCSteering
import Testing

/// `hold` on the pure router (issue 13): the REQUEST waits for the user's resolution; only the
/// response deadline runs meanwhile; other calls are not blocked.
@Suite("RPCRouter: held calls")
struct RPCRouterHoldTests {
    let t0 = Timestamp(nanoseconds: 1_000_000_000)
    let a = PeerID(1), b = PeerID(2), r = PeerID(10)
    var call: CallID { CallID(requestor: r, correlationId: "1") }
    var request: RPCMessage { RPCMessage(action: .request, data: "5", correlationId: "1", name: "f") }

    func router(providers: [PeerID] = [PeerID(1)]) -> RPCRouter {
        var router = RPCRouter(
            settings: BrokerConfiguration.RPC(),
            steering: SteeringRules([SteeringRule(match: GlobPattern("f"), action: .hold)]), random: SplitMix64(seed: 1))
        router.join(a, user: "A", clientData: nil)
        router.join(b, user: "B", clientData: nil)
        router.join(r, user: "web", clientData: nil)
        for peer in providers {
            _ = router.receive(RPCMessage(action: .provide, correlationId: "0", names: ["f", "g"]), from: peer, at: t0)
        }
        return router
    }

    func held(_ router: inout RPCRouter) -> [BrokerAction] {
        let actions = router.receive(request, from: r, at: t0)
        #expect(sends(actions).isEmpty, "nothing is sent while the call is held")
        #expect(steps(actions) == [.requested(data: "5"), .steered(rule: 1, action: "hold", detail: nil)])
        #expect(actions.contains(.armTimer(.response(call), deadline: t0.advanced(by: BrokerConfiguration.RPC().responseTimeout))))
        #expect(!actions.contains { if case .armTimer(.accept, _) = $0 { true } else { false } })
        return actions
    }

    @Test("Held, then released with edited data: the provider gets the new data, deadlines restart")
    func releaseEdited() {
        var router = router()
        _ = held(&router)
        let later = t0.advanced(by: .seconds(3))
        let released = router.apply(.resolveHeld(call, .release(data: #"{"n":9}"#)), at: later)
        #expect(sends(released).map(\.0) == [a])
        #expect(sends(released).first?.1.data == #"{"n":9}"#)
        #expect(steps(released) == [.steered(rule: 1, action: "released-edited", detail: #"{"n":9}"#), .routed(to: a)])
        #expect(released.contains(.armTimer(.accept(call), deadline: later.advanced(by: BrokerConfiguration.RPC().ackTimeout))))
        // A second resolution of the same call does nothing.
        #expect(router.apply(.resolveHeld(call, .drop), at: later).isEmpty)
        let answered = router.receive(RPCMessage(action: .response, data: "1", correlationId: "1", name: "f"), from: a, at: later)
        #expect(sends(answered).map(\.0) == [r])
    }

    @Test("Answered by hand with a RESPONSE or a REQUEST_ERROR: the requestor gets it, the provider nothing")
    func answeredByHand() {
        var router = router()
        _ = held(&router)
        let answered = router.apply(.resolveHeld(call, .respond(data: #"{"ok":true}"#)), at: t0)
        #expect(sends(answered).map(\.0) == [r])
        #expect(sends(answered).first?.1 == RPCMessage(action: .response, data: #"{"ok":true}"#, correlationId: "1", name: "f"))
        #expect(steps(answered) == [.steered(rule: 1, action: "answered", detail: #"{"ok":true}"#), .responded(data: #"{"ok":true}"#)])
        #expect(router.pendingCallCount == 0)

        var second = self.router()
        _ = held(&second)
        let failed = second.apply(.resolveHeld(call, .fail(error: #""nope""#)), at: t0)
        #expect(sends(failed).first?.1.action == .requestError)
        #expect(steps(failed).last == .errored(data: #""nope""#))
        // Not JSON: ignored, the call stays held.
        var third = self.router()
        _ = held(&third)
        #expect(third.apply(.resolveHeld(call, .respond(data: "{oops")), at: t0).isEmpty)
        #expect(third.pendingCallCount == 1)
    }

    @Test("Rejected by hand: rerouted (and held again at the next provider), or NO_RPC_PROVIDER")
    func rejectedByHand() {
        var router = router(providers: [a, b])
        _ = held(&router)
        let rejected = router.apply(.resolveHeld(call, .reject), at: t0)
        #expect(steps(rejected).prefix(2) == [.steered(rule: 1, action: "rejected-by-hand", detail: nil), .rejected(by: PeerID(1))]
            || steps(rejected).prefix(2) == [.steered(rule: 1, action: "rejected-by-hand", detail: nil), .rejected(by: PeerID(2))])
        #expect(steps(rejected).last == .steered(rule: 1, action: "hold", detail: nil))
        let last = router.apply(.resolveHeld(call, .reject), at: t0)
        #expect(sends(last).map(\.1.action) == [.noRPCProvider])
    }

    @Test("Dropped, or simply left: the response deadline ends the call with RESPONSE_TIMEOUT")
    func timesOut() {
        var router = router()
        _ = held(&router)
        let timedOut = router.timerFired(.response(call), at: t0.advanced(by: .seconds(10)))
        #expect(sends(timedOut).map(\.1.action) == [.responseTimeout])
        #expect(steps(timedOut) == [.failed(reason: .responseTimeout)])
        #expect(router.apply(.resolveHeld(call, .release(data: nil)), at: t0).isEmpty, "too late")

        var dropped = self.router()
        _ = held(&dropped)
        let drop = dropped.apply(.resolveHeld(call, .drop), at: t0)
        #expect(sends(drop).isEmpty)
        #expect(steps(drop) == [.steered(rule: 1, action: "dropped-by-hand", detail: nil)])
        #expect(sends(dropped.timerFired(.response(call), at: t0.advanced(by: .seconds(10)))).map(\.1.action) == [.responseTimeout])
    }

    @Test("Holding never blocks other calls; a provider leaving while a call is held holds it at the next one")
    func othersFlow() {
        var router = router(providers: [a, b])
        _ = held(&router)
        let other = router.receive(RPCMessage(action: .request, data: "1", correlationId: "2", name: "g"), from: r, at: t0)
        #expect(sends(other).count == 1)
        let provider = router.pendingCall(call)!.provider
        let left = router.leave(provider, at: t0)
        #expect(steps(left).contains(.steered(rule: 1, action: "hold", detail: nil)))
        #expect(router.pendingCall(call)?.provider != provider)
    }
}
