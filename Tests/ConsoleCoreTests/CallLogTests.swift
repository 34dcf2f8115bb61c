import ConsoleCore
import DeepstreamProtocol
import Testing

@Suite("Call log ring buffer")
struct CallLogTests {
    func key(_ cid: String) -> CallKey { CallKey(origin: .broker, call: CallID(requestor: PeerID(1), correlationId: cid)) }

    @Test func evictsOldestAndCountsDrops() {
        var log = CallLog(capacity: 3)
        for index in 0..<5 {
            log.record(key("c\(index)"), name: "n\(index)", step: .requested(data: nil), at: time(index))
        }
        #expect(log.count == 3)
        #expect(log.droppedCount == 2)
        #expect(log.firstSequence == 2)
        #expect(log.lastSequence == 4)
        #expect(log[key("c0")] == nil)
        #expect(log[key("c1")] == nil)
        #expect(log[key("c2")]?.name == "n2")
        #expect(log[sequence: 4]?.name == "n4")
        #expect(log[sequence: 1] == nil)
    }

    @Test func updatesByKeyAfterWrapping() {
        var log = CallLog(capacity: 2)
        log.record(key("a"), name: "a", step: .requested(data: "[1]"), at: time(0))
        log.record(key("b"), name: "b", step: .requested(data: nil), at: time(1))
        log.record(key("c"), name: "c", step: .requested(data: nil), at: time(2))
        // "c" lives in slot 0 (where "a" was); updating it must not touch "b".
        let outcome = log.record(key("c"), name: "c", step: .responded(data: "\"ok\""), at: time(3))
        #expect(!outcome.isNew)
        #expect(outcome.previousStatus == .requested)
        #expect(log[key("c")]?.status == .responded)
        #expect(log[key("c")]?.responseData == "\"ok\"")
        #expect(log[key("b")]?.status == .requested)
        // A step for an evicted call starts a new row (and evicts again).
        let again = log.record(key("a"), name: "a", step: .responded(data: nil), at: time(4))
        #expect(again.isNew)
        #expect(again.evicted?.key == key("b"))
        #expect(log.droppedCount == 2)
    }

    @Test func sameCorrelationIdFromDifferentObserversAreDifferentCalls() {
        var log = CallLog(capacity: 10)
        let id = CallID(requestor: nil, correlationId: "x")
        log.record(CallKey(origin: .outgoing, call: id), name: "a", step: .requested(data: nil), at: time(0))
        log.record(CallKey(origin: .served, call: id), name: "b", step: .requested(data: nil), at: time(0))
        #expect(log.count == 2)
    }

    @Test func latenciesAndSizesComeFromTheSteps() {
        var log = CallLog(capacity: 10)
        log.record(key("a"), name: "a", step: .requested(data: "{\"n\":1}"), at: time(0))
        log.record(key("a"), name: "a", step: .routed(to: PeerID(2)), at: time(0, ms: 1))
        log.record(key("a"), name: "a", step: .accepted(by: PeerID(2)), at: time(0, ms: 3))
        log.record(key("a"), name: "a", step: .responded(data: "\"héllo\""), at: time(0, ms: 12))
        let record = try! #require(log[key("a")])
        #expect(record.acceptLatency == .milliseconds(3))
        #expect(record.totalLatency == .milliseconds(12))
        #expect(record.requestBytes == 7)
        #expect(record.responseBytes == 8)
        #expect(record.provider == PeerID(2))
        #expect(record.timeline.count == 4)
    }

    @Test func aLateStepDoesNotReopenAnEndedCall() {
        var log = CallLog(capacity: 10)
        log.record(key("a"), name: "a", step: .requested(data: nil), at: time(0))
        log.record(key("a"), name: "a", step: .failed(reason: .responseTimeout), at: time(1))
        log.record(key("a"), name: "a", step: .responded(data: "1"), at: time(2))
        #expect(log[key("a")]?.status == .failed(.responseTimeout))
        #expect(log[key("a")]?.endedAt == time(1))
        #expect(log[key("a")]?.timeline.count == 3)
    }

    @Test func navigationSkipsNonMatchingAndEvictedCalls() {
        var log = CallLog(capacity: 4)
        for index in 0..<6 {
            log.record(key("c\(index)"), name: index.isMultiple(of: 2) ? "even" : "odd", step: .requested(data: nil), at: time(index))
        }
        let even: (CallRecord) -> Bool = { $0.name == "even" }
        #expect(log.nextSequence(after: 0, where: even) == 2)
        #expect(log.nextSequence(after: 2, where: even) == 4)
        #expect(log.nextSequence(after: 4, where: even) == nil)
        #expect(log.previousSequence(before: 6, where: even) == 4)
        #expect(log.previousSequence(before: 2, where: even) == nil)
        #expect(log.nextSequence(after: 2, limit: 4, where: even) == nil)
    }
}
