import Foundation
import CallRecording
import ConsoleCore
import DeepstreamProtocol
import Testing

/// A JSON string payload of exactly `bytes` UTF-8 bytes (at least 2): `"xx…x"`.
func payload(_ bytes: Int, _ fill: Character = "x") -> String {
    "\"" + String(repeating: fill, count: bytes - 2) + "\""
}

/// The call log's payload memory budget (decision 62): the arithmetic in ``CallLog``.
@Suite("Call log payload budget")
struct PayloadBudgetTests {
    func key(_ cid: String) -> CallKey { CallKey(origin: .broker, call: CallID(requestor: PeerID(1), correlationId: cid)) }

    /// A log of `budget` payload bytes that recorded a `bytes`-byte request for each of `calls`, one a
    /// second.
    func log(budget: Int, capacity: Int = 10, requests calls: [String], bytes: Int = 30) -> CallLog {
        var log = CallLog(capacity: capacity, payloadBudget: budget)
        for (index, cid) in calls.enumerated() {
            log.record(key(cid), name: "n", step: .requested(data: payload(bytes)), at: time(index))
        }
        return log
    }

    @Test("Over the budget, the oldest calls' payloads are released first; the calls and their sizes stay")
    func oldestReleasedFirst() {
        var log = log(budget: 100, requests: ["a", "b", "c"])
        #expect(log.payloadBytes == 90)
        log.record(key("d"), name: "n", step: .requested(data: payload(30)), at: time(3))
        #expect(log.payloadBytes == 90)
        #expect(log.releasedPayloadCalls == 1)
        let a = log[key("a")]
        #expect(a?.requestData == nil && a?.isRequestReleased == true && a?.requestBytes == 30)
        #expect(log[key("b")]?.requestData == payload(30) && log[key("b")]?.isRequestReleased == false)
        #expect(log[key("d")]?.requestData == payload(30))
        #expect(log.count == 4)
        // A 50-byte response on d releases b and c (oldest first), not d's own request.
        log.record(key("d"), name: "n", step: .responded(data: payload(50)), at: time(4))
        #expect(log[key("b")]?.isRequestReleased == true)
        #expect(log[key("c")]?.isRequestReleased == true)
        #expect(log[key("d")]?.requestData == payload(30) && log[key("d")]?.responseData == payload(50))
        #expect(log.payloadBytes == 80)
        #expect(log.releasedPayloadCalls == 3)
    }

    @Test("A released call counts once, also when a new request for it arrives later")
    func releasedCallCountedOnce() {
        var log = log(budget: 60, requests: ["a", "b", "c"])
        #expect(log[key("a")]?.isRequestReleased == true)
        #expect(log.releasedPayloadCalls == 1)
        // a is sent again (the same call key, a new request): older than the calls kept, it keeps
        // nothing new, and it is still one call in the count.
        log.record(key("a"), name: "n", step: .requested(data: payload(10)), at: time(3))
        #expect(log[key("a")]?.isRequestReleased == true && log[key("a")]?.requestBytes == 10)
        #expect(log.releasedPayloadCalls == 1)
        #expect(log[key("b")]?.isRequestReleased == false)
        log.record(key("d"), name: "n", step: .requested(data: payload(30)), at: time(4))
        #expect(log.releasedPayloadCalls == 2)  // a and b
        #expect(log[key("b")]?.isRequestReleased == true)
        #expect(log.payloadBytes == 60)
    }

    @Test("Exactly at the budget nothing is released; one byte more releases the oldest")
    func exactlyAtBudget() {
        var log = log(budget: 90, requests: ["a", "b", "c"])
        #expect(log.payloadBytes == 90)
        #expect(log.releasedPayloadCalls == 0)
        #expect(DisplayFormat.releasedPayloads(log) == nil)
        log.record(key("d"), name: "n", step: .requested(data: "1"), at: time(3))
        #expect(log.payloadBytes == 61)
        #expect(log[key("a")]?.isRequestReleased == true)
        #expect(log[key("b")]?.isRequestReleased == false)
    }

    @Test("A payload larger than the whole budget is not kept; the call is, and nothing else is released")
    func payloadLargerThanBudget() {
        var log = CallLog(capacity: 10, payloadBudget: 100)
        log.record(key("a"), name: "n", step: .requested(data: payload(40)), at: time(0))
        log.record(key("big"), name: "n", step: .requested(data: payload(20)), at: time(1))
        log.record(key("big"), name: "n", step: .responded(data: payload(101)), at: time(2))
        let big = log[key("big")]
        #expect(big?.status == .responded)
        #expect(big?.responseData == nil && big?.isResponseReleased == true && big?.responseBytes == 101)
        // Its own small request and the older call keep theirs.
        #expect(big?.requestData == payload(20))
        #expect(log[key("a")]?.requestData == payload(40))
        #expect(log.payloadBytes == 60)
        #expect(log.releasedPayloadCalls == 1)
    }

    @Test("A call evicted from the ring takes its payload bytes out of the budget")
    func ringEvictionReturnsBytes() {
        var log = log(budget: 100, capacity: 2, requests: ["a", "b", "c"])
        #expect(log.droppedCount == 1)
        #expect(log.payloadBytes == 60)
        // Without the eviction's bytes back, 60 + 30 + 30 would be 120 and release b.
        log.record(key("c"), name: "n", step: .responded(data: payload(30)), at: time(3))
        #expect(log.payloadBytes == 90)
        #expect(log.releasedPayloadCalls == 0)
        // Over many evictions the count stays the sum of what the held calls hold.
        for index in 0..<50 {
            log.record(key("x\(index)"), name: "n", step: .requested(data: payload(40)), at: time(10 + index))
        }
        #expect(log.payloadBytes == 80)
        #expect(log.releasedPayloadCalls == 0)
    }

    @Test("A late payload of a call whose payloads the budget already released is not kept either")
    func latePayloadOfReleasedCall() {
        var log = log(budget: 60, requests: ["a", "b", "c"])
        #expect(log[key("a")]?.isRequestReleased == true)
        log.record(key("a"), name: "n", step: .responded(data: payload(10)), at: time(3))
        let a = log[key("a")]
        #expect(a?.status == .responded && a?.isResponseReleased == true && a?.responseBytes == 10)
        #expect(log.payloadBytes == 60)
        // Counted once as a call, both payloads' bytes counted.
        #expect(log.releasedPayloadCalls == 1)
        // The timeline still has both steps, sizes from the record.
        #expect(a?.timeline.count == 2)
    }

    @Test("A zero budget keeps no payload; rows keep their sizes")
    func zeroBudget() {
        var log = CallLog(capacity: 10, payloadBudget: 0)
        log.record(key("a"), name: "n", step: .requested(data: payload(3)), at: time(0))
        log.record(key("a"), name: "n", step: .responded(data: "1"), at: time(1))
        #expect(log.payloadBytes == 0)
        #expect(log[key("a")]?.requestBytes == 3 && log[key("a")]?.responseBytes == 1)
        #expect(log[key("a")]?.isRequestReleased == true && log[key("a")]?.isResponseReleased == true)
        #expect(log.releasedPayloadCalls == 1)
    }

    @Test("A spilled timeline's payload copies are dropped with the payloads")
    func spilledTimeline() {
        var log = CallLog(capacity: 10, payloadBudget: 100)
        // Five steps spill the timeline into whole entries that carry the payload text.
        log.record(key("a"), name: "n", step: .requested(data: payload(40)), at: time(0))
        for peer in 2...4 { log.record(key("a"), name: "n", step: .routed(to: PeerID(UInt64(peer))), at: time(0, ms: peer)) }
        log.record(key("a"), name: "n", step: .responded(data: payload(40)), at: time(1))
        log.record(key("b"), name: "n", step: .requested(data: payload(40)), at: time(2))
        let a = log[key("a")]
        #expect(a?.isRequestReleased == true && a?.isResponseReleased == true)
        let data = a?.timeline.compactMap { entry -> String? in
            switch entry.step {
            case .requested(let data), .responded(let data): data
            default: nil
            }
        }
        #expect(data == [])
        #expect(a?.timeline.count == 5)
    }

    @Test("Only the step whose payload was released says 'not kept', not an earlier request without data")
    func onlyTheReleasedStepSaysNotKept() throws {
        var log = CallLog(capacity: 10, payloadBudget: 40)
        log.record(key("a"), name: "n", step: .requested(data: nil), at: time(0))
        log.record(key("a"), name: "n", step: .requested(data: payload(30)), at: time(1))
        log.record(key("b"), name: "n", step: .requested(data: payload(30)), at: time(2))
        let record = try #require(log[key("a")])
        #expect(record.isRequestReleased)
        let lines = CallDetailContent.lines(for: record, route: "", peerLabel: { $0.description }).map(\.description)
        let requested = lines.filter { $0.contains("  requested (") }
        #expect(requested.count == 2, "\(lines)")
        #expect(requested.filter { $0.hasSuffix("requested (30B, not kept)") }.count == 1, "\(lines)")
        #expect(requested.last?.hasSuffix("requested (30B, not kept)") == true, "\(lines)")
    }

    @Test("With the budget's flags a call record still takes at most 128 bytes in the log's array")
    func recordSize() {
        #expect(MemoryLayout<CallRecord>.stride <= 128)
    }

    @Test("The footer text counts the calls and names the budget")
    func footerText() {
        var log = CallLog(capacity: 2_000, payloadBudget: 1 << 10)
        #expect(DisplayFormat.releasedPayloads(log) == nil)
        for index in 0..<1_235 {
            log.record(key("c\(index)"), name: "n", step: .requested(data: payload(1_000)), at: time(index))
        }
        #expect(log.releasedPayloadCalls == 1_234)
        #expect(DisplayFormat.releasedPayloads(log) == "payloads of 1234 old calls dropped (memory budget 1 KiB)")
        #expect(DisplayFormat.budget(64 << 20) == "64 MiB")
        #expect(DisplayFormat.budget(0) == "0 B")
    }
}

/// Every reader of a released payload says so (decision 62): detail, resend/edit, copy, `w`, filter, diff.
@Suite("Released payloads in the console")
struct ReleasedPayloadReaderTests {
    /// Two finished `pay` calls of peer 7 with a 60-byte budget: c1's payloads (30 + 20 bytes) are
    /// released when c2's arrive.
    func state() -> ConsoleState {
        var state = makeState(payloadBudget: 60)
        for (index, cid) in ["c1", "c2"].enumerated() {
            _ = reduce(&state, brokerCall(cid, "pay", peer: 7, .requested(data: payload(30, "q")), at: time(index)))
            _ = reduce(&state, brokerCall(cid, "pay", peer: 7, .responded(data: payload(20, "r")), at: time(index, ms: 5)))
        }
        return state
    }

    func select(_ state: inout ConsoleState, first: Bool) {
        press(&state, first ? .character("g") : .character("G"))
    }

    @Test("The budget released the older call's payloads, not the newer one's")
    func setUp() {
        let state = state()
        let log = state.calls.log
        #expect(log[sequence: 0]?.isRequestReleased == true && log[sequence: 0]?.isResponseReleased == true)
        #expect(log[sequence: 1]?.requestData == payload(30, "q") && log[sequence: 1]?.responseData == payload(20, "r"))
        #expect(log.releasedPayloadCalls == 1 && log.payloadBytes == 50)
    }

    @Test("The detail view says the payload was not kept and its size, in the timeline too")
    func detailText() {
        var state = state()
        select(&state, first: true)
        #expect(state.selectedCall?.sequence == 0)
        press(&state, .enter)
        let lines = state.detailLines?.map(\.description) ?? []
        #expect(lines.contains("  (payload not kept: memory budget, 30B)"))
        #expect(lines.contains("  (payload not kept: memory budget, 20B)"))
        #expect(!lines.contains("  (no payload)"))
        #expect(lines.contains { $0.hasSuffix("requested (30B, not kept)") })
        #expect(lines.contains { $0.hasSuffix("responded (20B, not kept)") })
        // The kept call's detail shows its payloads.
        var kept = self.state()
        press(&kept, .enter)
        let keptLines = kept.detailLines?.map(\.description) ?? []
        #expect(keptLines.contains { $0.contains("qqqq") })
        #expect(!keptLines.contains { $0.contains("not kept") })
    }

    @Test("r and e refuse a released request with a notice saying why; nothing is sent")
    func resendRefused() {
        var state = state()
        select(&state, first: true)
        #expect(work(press(&state, .character("r"))).isEmpty)
        #expect(state.notice?.isError == true)
        #expect(state.notice?.text == "Cannot send pay again: its request (30B) was not kept (payload memory budget, --payload-memory)")
        press(&state, .character("e"))
        #expect(state.notice?.text == "Cannot edit pay: its request (30B) was not kept (payload memory budget, --payload-memory)")
        #expect(state.composer.name.text == "")
        #expect(state.pendingRequests.isEmpty)
        // The kept call still resends.
        select(&state, first: false)
        #expect(work(press(&state, .character("r"))).first == .make(name: "pay", data: .string(String(repeating: "q", count: 28)), requestID: RequestID(1)))
    }

    @Test("Copy as JSON marks the released payloads; as a command line or JS it is refused")
    func export() {
        var state = state()
        select(&state, first: true)
        press(&state, .enter)
        let effects = work(press(&state, .character("y")))
        guard case .copy(let text)? = effects.first else { Issue.record("no copy: \(effects)"); return }
        let value = try? JSONValue(parsing: text)
        guard case .object(let o)? = value else { Issue.record("not an object: \(text)"); return }
        #expect(o["request"] == .null && o["response"] == .null)
        #expect(o["notKept"] == .object(JSONObject([("request", .int(30)), ("response", .int(20))])))
        #expect(work(press(&state, .character("Y"))).isEmpty)
        #expect(state.notice?.text == "Cannot copy pay as a dsconsole call command: its request (30B) was not kept (payload memory budget, --payload-memory)")
        #expect(work(press(&state, .character("S"))).isEmpty)
        #expect(state.notice?.text == "Cannot copy pay as a JS client.rpc.make snippet: its request (30B) was not kept (payload memory budget, --payload-memory)")
    }

    /// The two calls of ``state()`` as `w` would record them.
    func recordedCalls(_ state: ConsoleState) -> [RecordedCall] {
        (0...1).compactMap { state.calls.log[sequence: $0] }.map(state.recordedCall)
    }

    @Test("w writes the released call without payloads and marks it; the line reads back; old lines still read")
    func recording() throws {
        var state = state()
        let calls = recordedCalls(state)
        try #require(calls.count == 2)
        // Through the key: the file w writes has the marked line.
        press(&state, .character("w"))
        let effects = work(press(&state, .enter))
        guard case .writeFile(_, let contents, _)? = effects.first else { Issue.record("no file: \(effects)"); return }
        #expect(contents.contains(#""notKept":{"request":30,"response":20}"#))
        #expect(calls[0].request == nil && calls[0].response == nil)
        #expect(calls[0].requestNotKeptBytes == 30 && calls[0].responseNotKeptBytes == 20)
        #expect(calls[1].request == payload(30, "q") && calls[1].requestNotKeptBytes == nil)
        let line = RecordingFormat.line(for: calls[0])
        #expect(line.contains(#""notKept":{"request":30,"response":20}"#))
        #expect(!RecordingFormat.line(for: calls[1]).contains("notKept"))
        let read = try RecordingFormat.call(from: line)
        #expect(read == calls[0])
        // A line without the field (an older file) reads with nothing marked.
        let old = try RecordingFormat.call(from: RecordingFormat.line(for: calls[1]))
        #expect(old.requestNotKeptBytes == nil && old.responseNotKeptBytes == nil)
        #expect(throws: RecordingLineError.self) {
            try RecordingFormat.call(from: line.replacingOccurrences(of: #""request":30"#, with: #""request":"x""#))
        }
    }

    @Test("provide --from-recording does not answer with a response that was not kept")
    func recordedResponses() {
        let state = state()
        let calls = recordedCalls(state)
        let responses = RecordedResponses(calls, match: .name)
        #expect(responses.usableCount == 1)
    }

    @Test("The filter does not match released payload text, and the match count follows the release")
    func filter() {
        var state = makeState(payloadBudget: 60)
        press(&state, .character("/"))
        type(&state, "qqqq\n")
        _ = reduce(&state, brokerCall("c1", "pay", peer: 7, .requested(data: payload(30, "q")), at: time(0)))
        #expect(state.calls.matchCount == 1)
        _ = reduce(&state, brokerCall("c2", "pay", peer: 7, .requested(data: payload(30, "q")), at: time(1)))
        #expect(state.calls.matchCount == 2)
        // c3's request releases c1's: c1 no longer matches.
        _ = reduce(&state, brokerCall("c3", "pay", peer: 7, .requested(data: payload(30, "q")), at: time(2)))
        #expect(state.calls.log[sequence: 0]?.isRequestReleased == true)
        #expect(state.calls.matchCount == 2)
        #expect(visibleNames(state).count == 2)
        #expect(state.visibleCallRows.map(\.sequence) == [1, 2])
    }

    @Test("The diff says which side's response was not kept")
    func diff() {
        var state = state()
        select(&state, first: false)
        press(&state, .character("d"))
        let lines = state.diffLines.map(\.description)
        #expect(lines.contains("- #1: response not kept (payload memory budget, 20B)"))
        #expect(!lines.contains { $0.hasPrefix("+ #2: response not kept") })
        #expect(lines.contains("Nothing to diff."))
    }
}
