import CallStatistics
import DeepstreamProtocol
import Testing

private func event(_ cid: String, _ step: CallStep, at ms: UInt64, requestor: UInt64 = 1) -> TrafficEvent {
    .call(CallEvent(call: CallID(requestor: PeerID(requestor), correlationId: cid), name: "pay", step: step,
                    at: Timestamp(nanoseconds: ms * 1_000_000)))
}

@Suite("Call tracker")
struct CallTrackerTests {
    @Test("A rerouted call: latencies from the request, provider by user name, rerouted flag")
    func reroute() throws {
        var tracker = CallTracker()
        _ = tracker.observe(.loggedIn(peer: PeerID(3), user: "bob", clientData: nil, at: Timestamp(nanoseconds: 0)))
        #expect(tracker.observe(event("c1", .requested(data: "1"), at: 100)) == nil)
        #expect(tracker.observe(event("c1", .routed(to: PeerID(2)), at: 101)) == nil)
        #expect(tracker.observe(event("c1", .rejected(by: PeerID(2)), at: 105)) == nil)
        #expect(tracker.observe(event("c1", .routed(to: PeerID(3)), at: 106)) == nil)
        #expect(tracker.observe(event("c1", .accepted(by: PeerID(3)), at: 110)) == nil)
        #expect(tracker.openCalls == 1)
        let doneResult = tracker.observe(event("c1", .responded(data: "2"), at: 130))
        let done = try #require(doneResult)
        #expect(done.name == "pay")
        #expect(done.provider == "bob")
        #expect(done.outcome == .ok)
        #expect(done.acceptLatency == .milliseconds(10))
        #expect(done.totalLatency == .milliseconds(30))
        #expect(done.wasRerouted)
        #expect(tracker.openCalls == 0)
    }

    @Test("Server errors end calls with their kind; an unknown provider shows as its peer id")
    func serverErrors() throws {
        var tracker = CallTracker()
        _ = tracker.observe(event("a", .requested(data: nil), at: 0))
        let noProviderResult = tracker.observe(event("a", .failed(reason: .noRPCProvider), at: 1))
        let noProvider = try #require(noProviderResult)
        #expect(noProvider.outcome == .noProvider)
        #expect(noProvider.provider == nil)
        _ = tracker.observe(event("b", .requested(data: nil), at: 0))
        _ = tracker.observe(event("b", .routed(to: PeerID(7)), at: 1))
        let timeoutResult = tracker.observe(event("b", .failed(reason: .acceptTimeout), at: 1000))
        let timeout = try #require(timeoutResult)
        #expect(timeout.outcome == .acceptTimeout)
        #expect(timeout.provider == "#7")
        #expect(timeout.acceptLatency == nil)
    }

    @Test("Same correlation id from two requestors: two calls")
    func scopedIDs() {
        var tracker = CallTracker()
        _ = tracker.observe(event("x", .requested(data: nil), at: 0, requestor: 1))
        _ = tracker.observe(event("x", .requested(data: nil), at: 0, requestor: 2))
        #expect(tracker.openCalls == 2)
    }

    @Test("Bounded: the oldest unfinished call is forgotten and counted")
    func bounded() {
        var tracker = CallTracker(capacity: 2)
        _ = tracker.observe(event("1", .requested(data: nil), at: 0))
        _ = tracker.observe(event("2", .requested(data: nil), at: 0))
        _ = tracker.observe(event("3", .requested(data: nil), at: 0))
        #expect(tracker.openCalls == 2)
        #expect(tracker.evictedCalls == 1)
        // Call 1 was forgotten: its end starts (and ends) a call seen only by its last step.
        let late = tracker.observe(event("1", .responded(data: nil), at: 5))
        #expect(late?.totalLatency == .zero)
    }
}
