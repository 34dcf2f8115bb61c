import DeepstreamBroker
import DeepstreamProtocol
import Testing

@Suite("RPCRouter: routing state machine without sockets")
struct RPCRouterTests {
    let t0 = Timestamp(nanoseconds: 1_000_000_000)
    let a = PeerID(1), b = PeerID(2), c = PeerID(3), r = PeerID(10), s = PeerID(11)

    func router(requestorName: Bool = false, requestorData: Bool = false, seed: UInt64 = 1) -> RPCRouter {
        var settings = BrokerConfiguration.RPC()
        settings.provideRequestorName = requestorName
        settings.provideRequestorData = requestorData
        var router = RPCRouter(settings: settings, random: SplitMix64(seed: seed))
        router.join(a, user: "A", clientData: nil)
        router.join(b, user: "B", clientData: nil)
        router.join(c, user: "C", clientData: nil)
        router.join(r, user: "userR", clientData: ["team": "r"])
        router.join(s, user: "userS", clientData: .null)
        return router
    }

    func provide(_ router: inout RPCRouter, _ peer: PeerID, _ names: [String]) {
        _ = router.receive(RPCMessage(action: .provide, correlationId: "0", names: names), from: peer, at: t0)
    }

    func request(_ cid: String, _ name: String = "f", data: String? = nil) -> RPCMessage {
        RPCMessage(action: .request, data: data, correlationId: cid, name: name)
    }

    @Test("PROVIDE adds providers and acks; a duplicate name gets MULTIPLE_PROVIDERS")
    func provideAck() {
        var router = router()
        let actions = router.receive(RPCMessage(action: .provide, correlationId: "7", names: ["f", "f", "g"]), from: a, at: t0)
        #expect(sends(actions).map(\.1) == [
            RPCMessage(action: .multipleProviders, correlationId: "7", isError: true, name: "f", originalAction: .provide),
            RPCMessage(action: .provide, correlationId: "7", isAck: true),
        ])
        #expect(actions.contains(.tap(.providerAdded(peer: a, name: "g", at: t0))))
        #expect(router.providers(of: "f") == [a])
        let empty = router.receive(RPCMessage(action: .provide, correlationId: "8"), from: a, at: t0)
        #expect(sends(empty).map(\.1) == [RPCMessage(action: .provide, correlationId: "8", isAck: true)])
    }

    @Test("No provider: NO_RPC_PROVIDER, call requested then failed on the tap")
    func noProvider() {
        var router = router()
        let actions = router.receive(request("1"), from: r, at: t0)
        #expect(sends(actions).map(\.1) == [RPCMessage(action: .noRPCProvider, correlationId: "1", name: "f")])
        #expect(steps(actions) == [.requested(data: nil), .failed(reason: .noRPCProvider)])
        #expect(router.pendingCallCount == 0)
    }

    @Test("REQUEST is dispatched with both timers armed at the configured deadlines")
    func dispatch() {
        var router = router()
        provide(&router, a, ["f"])
        let actions = router.receive(request("1", data: "5"), from: r, at: t0)
        let call = CallID(requestor: r, correlationId: "1")
        #expect(actions == [
            .tap(.call(CallEvent(call: call, name: "f", step: .requested(data: "5"), at: t0))),
            .send(a, .rpc(request("1", data: "5"))),
            .armTimer(.accept(call), deadline: t0.advanced(by: .milliseconds(1000))),
            .armTimer(.response(call), deadline: t0.advanced(by: .milliseconds(10000))),
            .tap(.call(CallEvent(call: call, name: "f", step: .routed(to: a), at: t0))),
        ])
    }

    @Test("Provider choice is uniform-ish random among providers (seeded)")
    func randomChoice() {
        var router = router(seed: 42)
        provide(&router, a, ["f"])
        provide(&router, b, ["f"])
        provide(&router, c, ["f"])
        var counts: [PeerID: Int] = [:]
        for i in 0..<300 {
            let actions = router.receive(request("\(i)"), from: r, at: t0)
            for (peer, message) in sends(actions) where message.action == .request { counts[peer, default: 0] += 1 }
        }
        #expect(counts.keys.sorted() == [a, b, c])
        #expect(counts.values.allSatisfy { $0 > 60 })
    }

    @Test("REJECT reroutes to each untried provider once, then NO_RPC_PROVIDER")
    func rejectChain() {
        var router = router()
        provide(&router, a, ["f"])
        provide(&router, b, ["f"])
        provide(&router, c, ["f"])
        var actions = router.receive(request("1"), from: r, at: t0)
        var seen: [PeerID] = []
        for _ in 0..<3 {
            guard let (provider, forwarded) = sends(actions).first(where: { $0.1.action == .request }) else { break }
            seen.append(provider)
            actions = router.receive(RPCMessage(action: .reject, correlationId: forwarded.correlationId, name: "f"), from: provider, at: t0)
        }
        #expect(Set(seen) == [a, b, c])
        #expect(sends(actions).map(\.1) == [RPCMessage(action: .noRPCProvider, correlationId: "1", name: "f")])
        #expect(actions.contains(.cancelTimer(.accept(CallID(requestor: r, correlationId: "1")))))
        #expect(router.pendingCallCount == 0)
    }

    @Test("Accept state is reset on reroute and the stale provider is refused")
    func acceptReset() {
        var router = router()
        provide(&router, a, ["f"])
        provide(&router, b, ["f"])
        let first = sends(router.receive(request("1"), from: r, at: t0)).first!.0
        let second = first == a ? b : a
        let accept = RPCMessage(action: .accept, correlationId: "1", name: "f")
        #expect(sends(router.receive(accept, from: first, at: t0)).map(\.0) == [r])
        _ = router.receive(RPCMessage(action: .reject, correlationId: "1", name: "f"), from: first, at: t0)
        #expect(sends(router.receive(accept, from: second, at: t0)).map(\.0) == [r])
        let stale = router.receive(RPCMessage(action: .response, data: "1", correlationId: "1", name: "f"), from: first, at: t0)
        #expect(sends(stale).map(\.0) == [first])
        #expect(sends(stale).first?.1.action == .invalidRPCCorrelationID)
        #expect(router.pendingCallCount == 1)
    }

    @Test("Timers: accept timeout only before ACCEPT; response timeout ends the call; stale timers do nothing")
    func timers() {
        var router = router()
        provide(&router, a, ["f"])
        let call = CallID(requestor: r, correlationId: "1")
        _ = router.receive(request("1"), from: r, at: t0)
        _ = router.receive(RPCMessage(action: .accept, correlationId: "1", name: "f"), from: a, at: t0)
        #expect(router.timerFired(.accept(call), at: t0).isEmpty)
        let timeout = router.timerFired(.response(call), at: t0)
        #expect(sends(timeout).map(\.1) == [RPCMessage(action: .responseTimeout, correlationId: "1", name: "f")])
        #expect(steps(timeout) == [.failed(reason: .responseTimeout)])
        #expect(router.timerFired(.response(call), at: t0).isEmpty)
        _ = router.receive(request("2"), from: r, at: t0)
        let acceptTimeout = router.timerFired(.accept(CallID(requestor: r, correlationId: "2")), at: t0)
        #expect(sends(acceptTimeout).map(\.1) == [RPCMessage(action: .acceptTimeout, correlationId: "2", name: "f")])
    }

    @Test("Same cid from two requestors: provider-side ids differ and answers map back")
    func cidScoping() {
        var router = router()
        provide(&router, a, ["f"])
        let one = sends(router.receive(request("x"), from: r, at: t0)).first!.1
        let two = sends(router.receive(request("x"), from: s, at: t0)).first!.1
        #expect(one.correlationId == "x")
        #expect(two.correlationId == "x~11")
        let third = sends(router.receive(request("x~11"), from: r, at: t0)).first!.1
        #expect(third.correlationId == "x~11~10")
        let answer = router.receive(RPCMessage(action: .response, data: "2", correlationId: two.correlationId, name: "f"), from: a, at: t0)
        #expect(sends(answer).map(\.0) == [s])
        #expect(sends(answer).map(\.1) == [RPCMessage(action: .response, data: "2", correlationId: "x", name: "f")])
        #expect(router.pendingCallCount == 2)
    }

    @Test("Provider leaving: names removed, its calls rerouted at once or failed")
    func providerLeaves() {
        var router = router()
        provide(&router, a, ["f", "g"])
        provide(&router, b, ["f"])
        var actions = router.receive(request("1", "g"), from: r, at: t0)
        #expect(sends(actions).first?.0 == a)
        actions = router.leave(a, at: t0)
        #expect(actions.contains(.tap(.providerRemoved(peer: a, name: "f", at: t0))))
        #expect(sends(actions).map(\.1) == [RPCMessage(action: .noRPCProvider, correlationId: "1", name: "g")])
        #expect(steps(actions) == [.rejected(by: a), .failed(reason: .noRPCProvider)])
        #expect(router.providers(of: "f") == [b])
    }

    @Test("Requestor fields: set from the requestor's login when enabled, same after reroute; stripped when off")
    func requestorFields() {
        var on = router(requestorName: true, requestorData: true)
        provide(&on, a, ["f"])
        provide(&on, b, ["f"])
        let forwarded = sends(on.receive(request("1"), from: r, at: t0)).first!
        #expect(forwarded.1.requestorName == "userR")
        #expect(forwarded.1.requestorData == #"{"team":"r"}"#)
        let rerouted = sends(on.receive(RPCMessage(action: .reject, correlationId: "1", name: "f"), from: forwarded.0, at: t0))
        #expect(rerouted.first?.1 == forwarded.1)
        let nullData = sends(on.receive(request("2"), from: s, at: t0)).first!.1
        #expect(nullData.requestorName == "userS")
        #expect(nullData.requestorData == nil)

        var off = router()
        provide(&off, a, ["f"])
        var spoofed = request("1")
        spoofed.requestorName = "root"
        spoofed.requestorData = "{}"
        #expect(sends(off.receive(spoofed, from: r, at: t0)).first?.1 == request("1"))
    }

    @Test("Draining refuses new requests but lets rejects reroute; failAll ends the rest")
    func draining() {
        var router = router()
        provide(&router, a, ["f"])
        provide(&router, b, ["f"])
        let first = sends(router.receive(request("1"), from: r, at: t0)).first!.0
        router.isDraining = true
        #expect(sends(router.receive(request("2"), from: r, at: t0)).map(\.1.action) == [.noRPCProvider])
        let rerouted = sends(router.receive(RPCMessage(action: .reject, correlationId: "1", name: "f"), from: first, at: t0))
        #expect(rerouted.map(\.1.action) == [.request])
        let failed = router.failAll(with: .responseTimeout, at: t0)
        #expect(sends(failed).map(\.1) == [RPCMessage(action: .responseTimeout, correlationId: "1", name: "f")])
        #expect(router.pendingCallCount == 0)
    }

    @Test("Unknown RPC actions are ignored; unknown cids get INVALID_RPC_CORRELATION_ID")
    func oddities() {
        var router = router()
        #expect(router.receive(RPCMessage(action: RPCAction(rawValue: 77)), from: r, at: t0).isEmpty)
        let unknown = router.receive(RPCMessage(action: .requestError, correlationId: "zz", name: "f"), from: a, at: t0)
        #expect(sends(unknown).map(\.1) == [RPCMessage(
            action: .invalidRPCCorrelationID, correlationId: "zz", isError: true, name: "f", originalAction: .requestError)])
        let noCid = router.receive(RPCMessage(action: .accept), from: a, at: t0)
        #expect(sends(noCid).first?.1.action == .invalidRPCCorrelationID)
    }
}
