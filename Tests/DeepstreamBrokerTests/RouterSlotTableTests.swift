@testable import DeepstreamBroker
import DeepstreamProtocol
import Testing

/// The router's slot table (issue 15, perf4): calls are stored by slot and found through two keys; a
/// departing provider is found by a scan. These pin what the table must keep: reuse of freed slots,
/// the per-provider bookkeeping that the scan replaced, and the provider choice's random sequence.
@Suite("RPCRouter slot table: reuse, departures, provider choice")
struct RouterSlotTableTests {
    let t0 = Timestamp(nanoseconds: 1_000_000_000)
    let a = PeerID(1), b = PeerID(2), r = PeerID(10)

    func router(seed: UInt64 = 1) -> RPCRouter {
        var router = RPCRouter(settings: BrokerConfiguration.RPC(), random: SplitMix64(seed: seed))
        for (peer, user) in [(a, "A"), (b, "B"), (r, "R")] { router.join(peer, user: user, clientData: nil) }
        return router
    }

    func provide(_ router: inout RPCRouter, _ peer: PeerID, _ name: String = "f") {
        _ = router.receive(RPCMessage(action: .provide, correlationId: "0", names: [name]), from: peer, at: t0)
    }

    func request(_ router: inout RPCRouter, _ cid: String, _ name: String = "f") -> [BrokerAction] {
        router.receive(RPCMessage(action: .request, data: "1", correlationId: cid, name: name), from: r, at: t0)
    }

    @Test("Freed slots are reused: 1,000 calls one after another leave nothing pending, ids can be reused")
    func slotReuse() {
        var router = router()
        provide(&router, a)
        for round in 0..<1_000 {
            let cid = "c\(round % 3)"
            #expect(sends(request(&router, cid)).map(\.0) == [a])
            let answer = router.receive(RPCMessage(action: .response, data: "2", correlationId: cid, name: "f"), from: a, at: t0)
            #expect(sends(answer).map(\.1) == [RPCMessage(action: .response, data: "2", correlationId: cid, name: "f")])
        }
        #expect(router.pendingCallCount == 0)
        // A thousand calls one after another used one slot.
        #expect(router.slotCapacity == 1)
        // Interleaved: the second call takes a new slot, the third the first one's freed slot.
        _ = request(&router, "x")
        _ = request(&router, "y")
        _ = router.receive(RPCMessage(action: .response, data: "2", correlationId: "x", name: "f"), from: a, at: t0)
        _ = request(&router, "z")
        #expect(router.pendingCallCount == 2)
        #expect(router.slotCapacity == 2)
        #expect(router.pendingCall(CallID(requestor: r, correlationId: "y"))?.provider == a)
        #expect(router.pendingCall(CallID(requestor: r, correlationId: "z"))?.provider == a)
        #expect(router.pendingCall(CallID(requestor: r, correlationId: "x")) == nil)
    }

    @Test("A refused REQUEST (no provider, bad data, duplicate id) leaves no key behind")
    func refusedRequestsLeaveNoKey() {
        var router = router()
        #expect(sends(request(&router, "1")).map(\.1.action) == [.noRPCProvider])
        provide(&router, a)
        let bad = router.receive(RPCMessage(action: .request, data: "{", correlationId: "2", name: "f"), from: r, at: t0)
        #expect(sends(bad).map(\.1.action) == [.invalidMessageData])
        #expect(router.pendingCallCount == 0)
        // The same ids now start real calls.
        #expect(sends(request(&router, "1")).map(\.1.action) == [.request])
        #expect(sends(request(&router, "2")).map(\.1.action) == [.request])
        #expect(sends(request(&router, "2")).map(\.1.action) == [.invalidRPCCorrelationID])
        #expect(router.pendingCallCount == 2)
    }

    @Test("A departing provider's calls are rerouted in call order; finished calls and other providers' are not touched")
    func departureScan() {
        var router = router()
        provide(&router, a)
        for cid in ["3", "1", "2"] { _ = request(&router, cid) }
        _ = router.receive(RPCMessage(action: .response, data: "2", correlationId: "2", name: "f"), from: a, at: t0)
        provide(&router, b)
        let left = router.leave(a, at: t0)
        #expect(sends(left).map(\.0) == [b, b])
        #expect(sends(left).map(\.1.correlationId) == ["1", "3"])
        #expect(router.pendingCall(CallID(requestor: r, correlationId: "1"))?.provider == b)
        // b leaving too: nobody is left, so both fail with NO_RPC_PROVIDER and nothing stays pending.
        let last = router.leave(b, at: t0)
        #expect(sends(last).map(\.1.action) == [.noRPCProvider, .noRPCProvider])
        #expect(router.pendingCallCount == 0)
    }

    @Test("The provider index is drawn exactly as Int.random(in:using:) draws it")
    func providerIndexMatchesStandardLibrary() {
        for count in [1, 2, 3, 5, 7, 64, 1_000, Int(UInt32.max) + 3] {
            var mine: any RandomNumberGenerator & Sendable = SplitMix64(seed: UInt64(count))
            var reference = SplitMix64(seed: UInt64(count))
            for _ in 0..<500 {
                let index = RPCRouter.index(below: count, using: &mine)
                #expect(index == Int.random(in: 0..<count, using: &reference))
                #expect((0..<count).contains(index))
            }
        }
    }
}
