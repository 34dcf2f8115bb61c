import CallRecording
import ConsoleCore
import DeepstreamProtocol
import Testing

@Suite("open: a recording fed into the console offline")
struct OpenRecordingTests {
    static func offlineState(capacity: Int = 1000) -> ConsoleState {
        var configuration = ConsoleConfiguration(url: "calls.jsonl", embeddedBroker: true, callLogCapacity: capacity)
        configuration.offlineFile = "calls.jsonl"
        return ConsoleState(configuration: configuration, columns: 100, rows: 30)
    }

    static func recorded(_ cid: String, _ name: String, requestor: String?, start: Timestamp, ok: Bool = true) -> RecordedCall {
        RecordedCall(
            name: name, correlationId: cid, requestor: requestor, provider: "bob", request: #"{"n":1}"#,
            response: ok ? #"{"ok":true}"# : nil,
            timeline: [
                .init(step: .requested(data: #"{"n":1}"#), at: start),
                .init(step: .routed(to: PeerID(7)), at: start.advanced(by: .milliseconds(1)), peerName: "bob"),
                .init(step: .accepted(by: PeerID(7)), at: start.advanced(by: .milliseconds(2)), peerName: "bob"),
                ok ? .init(step: .responded(data: #"{"ok":true}"#), at: start.advanced(by: .milliseconds(12)))
                    : .init(step: .failed(reason: .responseTimeout), at: start.advanced(by: .milliseconds(12))),
            ])
    }

    @Test("Every recorded call becomes a row with its route, timeline, payloads and outcome; Stats count them")
    func rows() throws {
        var state = Self.offlineState()
        var feed = RecordingFeed()
        let calls = [
            Self.recorded("c1", "pay", requestor: "alice", start: time(1)),
            Self.recorded("c1", "pay", requestor: "carol", start: time(2), ok: false),
            Self.recorded("c2", "search", requestor: nil, start: time(3)),
        ]
        for call in calls {
            for event in feed.events(for: call) { _ = reduce(&state, .engine(event)) }
        }
        _ = reduce(&state, .recordingLoaded(calls: 3, badLines: 0, firstBadLine: nil))
        let records = allRecords(state)
        #expect(records.map(\.name) == ["pay", "pay", "search"])
        // Equal correlation ids of different requestors stay apart.
        #expect(records[0].key != records[1].key)
        #expect(state.route(of: records[0]).contains("alice") && state.route(of: records[0]).contains("bob"))
        #expect(state.route(of: records[1]).contains("carol"))
        #expect(records[0].status == .responded && records[1].status == .failed(.responseTimeout))
        #expect(records[0].totalLatency == .milliseconds(12))
        #expect(records[0].requestData == #"{"n":1}"# && records[0].responseData == #"{"ok":true}"#)
        #expect(records[0].timeline.count == 4)
        #expect(state.statistics.totalCalls == 3)
        #expect(state.notice?.text == "Opened calls.jsonl: 3 calls")
        // Written back with w, the rows read as the same calls (round trip).
        let again = records.map { state.recordedCall($0) }
        #expect(again.map(\.name) == calls.map(\.name))
        #expect(again.map(\.requestor) == calls.map(\.requestor))
        #expect(again.map(\.provider) == ["bob", "bob", "bob"])
        // Peers are renumbered in order of appearance; times, steps and user names are kept.
        #expect(again.map { $0.timeline.map(\.at) } == calls.map { $0.timeline.map(\.at) })
        #expect(again.map { $0.timeline.map(\.peerName) } == calls.map { $0.timeline.map(\.peerName) })
        #expect(again.map(\.outcome) == calls.map(\.outcome))
        #expect(again.map(\.request) == calls.map(\.request) && again.map(\.response) == calls.map(\.response))
    }

    @Test("A recorded call whose payloads were not kept opens as 'not kept' with their sizes, and writes back the same")
    func notKeptPayloads() throws {
        var state = Self.offlineState()
        var feed = RecordingFeed()
        let start = time(1)
        // What w writes for a call whose console had released both payloads (decision 62).
        let released = RecordedCall(
            name: "pay", correlationId: "c1", requestor: "alice", provider: "bob", request: nil, response: nil,
            timeline: [
                .init(step: .requested(data: nil), at: start),
                .init(step: .routed(to: PeerID(7)), at: start.advanced(by: .milliseconds(1)), peerName: "bob"),
                .init(step: .responded(data: nil), at: start.advanced(by: .milliseconds(5))),
            ],
            requestNotKeptBytes: 300_000, responseNotKeptBytes: 12)
        let events = feed.events(for: released)
        guard case .traffic(.payloadsNotKept(_, "pay", 300_000, 12, _))? = events.last else {
            Issue.record("no payloadsNotKept event last: \(events)")
            return
        }
        for event in events { _ = reduce(&state, .engine(event)) }
        // A call of the same recording with its payloads gets no such event.
        let kept = Self.recorded("c2", "pay", requestor: "alice", start: time(2))
        #expect(!feed.events(for: kept).contains { if case .traffic(.payloadsNotKept) = $0 { true } else { false } })

        let record = try #require(allRecords(state).first)
        #expect(record.isRequestReleased && record.isResponseReleased)
        #expect(record.requestBytes == 300_000 && record.responseBytes == 12)
        #expect(record.requestData == nil && record.responseData == nil)
        // This log's own budget did not release them: nothing counted, nothing held.
        #expect(state.calls.log.releasedPayloadCalls == 0 && state.calls.log.payloadBytes == 0)
        press(&state, .enter)
        let lines = state.detailLines?.map(\.description) ?? []
        #expect(lines.contains("  (payload not kept: memory budget, 292K)"))
        #expect(lines.contains("  (payload not kept: memory budget, 12B)"))
        #expect(!lines.contains("  (no payload)"))
        // Written back with w, the call carries the same marks.
        let again = state.recordedCall(record)
        #expect(again.requestNotKeptBytes == 300_000 && again.responseNotKeptBytes == 12)
        #expect(again.request == nil && again.response == nil)
    }

    @Test("Bad lines are reported on the status line and stay there")
    func badLines() {
        var state = Self.offlineState()
        _ = reduce(&state, .tick(time(1)))
        _ = reduce(&state, .recordingLoaded(calls: 5, badLines: 2, firstBadLine: BadRecordingLine(line: 4, problem: "not JSON: x")))
        #expect(state.notice?.text == "skipped 2 bad lines (first: line 4: not JSON: x)")
        #expect(state.notice?.isError == true)
        _ = reduce(&state, .tick(time(60)))
        #expect(state.notice?.text == "skipped 2 bad lines (first: line 4: not JSON: x)")
    }

    @Test("A recording larger than the call log keeps the newest calls, like a live session")
    func boundedByTheCallLog() {
        var state = Self.offlineState(capacity: 10)
        var feed = RecordingFeed()
        for index in 0..<25 {
            let call = Self.recorded("c\(index)", "pay", requestor: "alice", start: time(1, ms: index))
            for event in feed.events(for: call) { _ = reduce(&state, .engine(event)) }
        }
        #expect(state.calls.log.count == 10)
        #expect(allRecords(state).first?.key.call.correlationId == "c15")
        #expect(state.statistics.totalCalls == 25)
    }
}

private func allRecords(_ state: ConsoleState) -> [CallRecord] {
    guard let last = state.calls.log.lastSequence else { return [] }
    return (state.calls.log.firstSequence...last).compactMap { state.calls.log[sequence: $0] }
}
