import DeepstreamBroker
import DeepstreamProtocol
import RPCSteering
import Testing

@Suite("RPCRouter steering: rules applied to calls without sockets")
struct RPCRouterSteeringTests {
    let t0 = Timestamp(nanoseconds: 1_000_000_000)
    let a = PeerID(1), b = PeerID(2), r = PeerID(10)
    var call: CallID { CallID(requestor: r, correlationId: "1") }

    func router(_ rules: [SteeringRule], providers: [PeerID] = [PeerID(1)]) -> RPCRouter {
        var router = RPCRouter(settings: BrokerConfiguration.RPC(), steering: SteeringRules(rules), random: SplitMix64(seed: 1))
        router.join(a, user: "A", clientData: nil)
        router.join(b, user: "B", clientData: nil)
        router.join(r, user: "web", clientData: nil)
        for peer in providers {
            _ = router.receive(RPCMessage(action: .provide, correlationId: "0", names: ["f"]), from: peer, at: t0)
        }
        return router
    }

    var request: RPCMessage { RPCMessage(action: .request, data: "5", correlationId: "1", name: "f") }
    func reply(_ action: RPCAction, data: String? = nil) -> RPCMessage {
        RPCMessage(action: action, data: data, correlationId: "1", name: "f")
    }

    @Test("No rule matches: exactly the plain actions")
    func untouched() {
        var steered = router([SteeringRule(match: GlobPattern("g*"), action: .reject)])
        var plain = RPCRouter(settings: BrokerConfiguration.RPC(), random: SplitMix64(seed: 1))
        plain.join(a, user: "A", clientData: nil)
        plain.join(r, user: "web", clientData: nil)
        _ = plain.receive(RPCMessage(action: .provide, correlationId: "0", names: ["f"]), from: a, at: t0)
        #expect(steered.receive(request, from: r, at: t0) == plain.receive(request, from: r, at: t0))
        #expect(steered.receive(reply(.response, data: "1"), from: a, at: t0) == plain.receive(reply(.response, data: "1"), from: a, at: t0))
    }

    @Test("fail: the requestor gets REQUEST_ERROR with the error value; the provider sees nothing")
    func fail() {
        var router = router([SteeringRule(match: GlobPattern("f"), action: .fail(error: "card declined"))])
        let actions = router.receive(request, from: r, at: t0)
        #expect(sends(actions).map(\.0) == [r])
        #expect(sends(actions).map(\.1) == [RPCMessage(action: .requestError, data: "\"card declined\"", correlationId: "1", name: "f")])
        #expect(steps(actions) == [
            .requested(data: "5"), .steered(rule: 1, action: "fail", detail: "\"card declined\""),
            .errored(data: "\"card declined\""),
        ])
        #expect(router.pendingCallCount == 0)
        #expect(!actions.contains { if case .armTimer = $0 { true } else { false } })
    }

    @Test("delay request: held on a steering timer, then forwarded with fresh deadlines")
    func delayRequest() {
        var router = router([SteeringRule(match: GlobPattern("f"), action: .delayRequest(DelayRange(minimum: 250, maximum: 250)!))])
        let held = router.receive(request, from: r, at: t0)
        #expect(sends(held).isEmpty)
        #expect(held.contains(.armTimer(.steering(call), deadline: t0.advanced(by: .milliseconds(250)))))
        #expect(steps(held) == [.requested(data: "5"), .steered(rule: 1, action: "delay-request", detail: "250 ms")])
        let later = t0.advanced(by: .milliseconds(250))
        let released = router.timerFired(.steering(call), at: later)
        #expect(sends(released).map(\.0) == [a])
        #expect(released.contains(.armTimer(.accept(call), deadline: later.advanced(by: .milliseconds(1000)))))
        #expect(steps(released) == [.routed(to: a)])
        #expect(router.timerFired(.steering(call), at: later).isEmpty)
    }

    @Test("delay request: a provider leaving while the request waits reroutes it")
    func delayRequestProviderLeaves() {
        var router = router(
            [SteeringRule(match: GlobPattern("f"), provider: GlobPattern("A"), action: .delayRequest(DelayRange(minimum: 9, maximum: 9)!))],
            providers: [a])
        _ = router.receive(request, from: r, at: t0)
        _ = router.receive(RPCMessage(action: .provide, correlationId: "0", names: ["f"]), from: b, at: t0)
        let actions = router.leave(a, at: t0)
        #expect(sends(actions).map(\.0) == [b])
        #expect(router.timerFired(.steering(call), at: t0.advanced(by: .milliseconds(9))).isEmpty)
    }

    @Test("delay response: the answer waits on the steering timer, the deadlines are cancelled")
    func delayResponse() {
        var router = router([SteeringRule(match: GlobPattern("f"), action: .delayResponse(DelayRange(minimum: 40, maximum: 40)!))])
        _ = router.receive(request, from: r, at: t0)
        let held = router.receive(reply(.response, data: "11"), from: a, at: t0)
        #expect(sends(held).isEmpty)
        #expect(held.contains(.cancelTimer(.response(call))))
        #expect(steps(held) == [.steered(rule: 1, action: "delay-response", detail: "40 ms")])
        #expect(router.receive(reply(.response, data: "12"), from: a, at: t0).isEmpty)
        let released = router.timerFired(.steering(call), at: t0.advanced(by: .milliseconds(40)))
        #expect(sends(released).map(\.1) == [RPCMessage(action: .response, data: "11", correlationId: "1", name: "f")])
        #expect(steps(released) == [.responded(data: "11")])
        #expect(router.pendingCallCount == 0)
    }

    @Test("reject: the provider's first word becomes a REJECT; with one provider the call ends NO_RPC_PROVIDER")
    func rejectSingle() {
        var router = router([SteeringRule(match: GlobPattern("f"), action: .reject)])
        _ = router.receive(request, from: r, at: t0)
        let actions = router.receive(reply(.accept), from: a, at: t0)
        #expect(sends(actions).map(\.1) == [RPCMessage(action: .noRPCProvider, correlationId: "1", name: "f")])
        #expect(steps(actions) == [
            .steered(rule: 1, action: "reject", detail: nil), .rejected(by: a), .failed(reason: .noRPCProvider),
        ])
    }

    @Test("reject by provider user: rerouted to the other provider, whose answer goes through")
    func rejectReroutes() {
        var router = router(
            [SteeringRule(match: GlobPattern("f"), provider: GlobPattern("A"), action: .reject)], providers: [a, b])
        let first = router.receive(request, from: r, at: t0)
        let firstProvider = sends(first)[0].0
        var actions = first
        if firstProvider == a { actions = router.receive(reply(.response, data: "1"), from: a, at: t0) }
        #expect(sends(actions).last?.0 == b)
        let answer = router.receive(reply(.response, data: "2"), from: b, at: t0)
        #expect(sends(answer).map(\.1) == [RPCMessage(action: .response, data: "2", correlationId: "1", name: "f")])
    }

    @Test("drop-response: ACCEPT passes, RESPONSE is swallowed, RESPONSE_TIMEOUT ends the call")
    func dropResponse() {
        var router = router([SteeringRule(match: GlobPattern("f"), requestor: GlobPattern("w*"), action: .dropResponse)])
        _ = router.receive(request, from: r, at: t0)
        #expect(sends(router.receive(reply(.accept), from: a, at: t0)).map(\.0) == [r])
        let dropped = router.receive(reply(.response, data: "1"), from: a, at: t0)
        #expect(sends(dropped).isEmpty)
        #expect(steps(dropped) == [.steered(rule: 1, action: "drop-response", detail: nil)])
        let timeout = router.timerFired(.response(call), at: t0.advanced(by: .seconds(10)))
        #expect(sends(timeout).map(\.1) == [RPCMessage(action: .responseTimeout, correlationId: "1", name: "f")])
    }
}
