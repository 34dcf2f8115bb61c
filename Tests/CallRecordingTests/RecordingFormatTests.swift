import CallRecording
import CallStatistics
import DeepstreamProtocol
import Testing

private func at(_ ms: UInt64) -> Timestamp { Timestamp(nanoseconds: 1_764_000_000_000_000_000 + ms * 1_000_000) }

private func event(_ cid: String, _ step: CallStep, at ms: UInt64, requestor: UInt64 = 1) -> TrafficEvent {
    .call(CallEvent(call: CallID(requestor: PeerID(requestor), correlationId: cid), name: "pay", step: step, at: at(ms)))
}

@Suite("Recording format")
struct RecordingFormatTests {
    @Test("A tracker keeping details assembles a rerouted call with user names, wire text and every step")
    func assembleFromTraffic() throws {
        var tracker = CallTracker(keepingDetails: true)
        _ = tracker.observe(.loggedIn(peer: PeerID(1), user: "alice", clientData: ["token": "x"], at: at(0)))
        _ = tracker.observe(.loggedIn(peer: PeerID(2), user: "carol", clientData: nil, at: at(0)))
        _ = tracker.observe(.loggedIn(peer: PeerID(3), user: "bob", clientData: nil, at: at(0)))
        _ = tracker.observe(event("c1", .requested(data: #"{ "amount" : 1.50 }"#), at: 100))
        _ = tracker.observe(event("c1", .routed(to: PeerID(2)), at: 101))
        _ = tracker.observe(event("c1", .rejected(by: PeerID(2)), at: 105))
        _ = tracker.observe(event("c1", .routed(to: PeerID(3)), at: 106))
        _ = tracker.observe(event("c1", .accepted(by: PeerID(3)), at: 110))
        let finishedResult = tracker.observe(event("c1", .responded(data: #"{"ok":true}"#), at: 130))
        let finished = try #require(finishedResult)
        let call = try #require(RecordedCall(finished))
        #expect(call.name == "pay")
        #expect(call.correlationId == "c1")
        #expect(call.requestor == "alice")
        #expect(call.provider == "bob")
        #expect(call.request == #"{ "amount" : 1.50 }"#)
        #expect(call.response == #"{"ok":true}"#)
        #expect(call.outcome == "RESPONSE")
        #expect(call.timeline.map(\.at) == [at(100), at(101), at(105), at(106), at(110), at(130)])
        #expect(call.timeline.map(\.peerName) == [nil, "carol", "carol", "bob", "bob", nil])
    }

    @Test("A tracker without details keeps none (statistics consumers pay nothing)")
    func noDetailsByDefault() throws {
        var tracker = CallTracker()
        _ = tracker.observe(event("c1", .requested(data: "1"), at: 0))
        let finishedResult = tracker.observe(event("c1", .responded(data: "2"), at: 1))
        let finished = try #require(finishedResult)
        #expect(finished.details == nil)
        #expect(RecordedCall(finished) == nil)
    }

    @Test("Header and calls survive writing and reading; payload text stays byte for byte")
    func roundTrip() throws {
        let header = RecordingHeader(source: "ws://127.0.0.1:6020/deepstream", startedAt: at(0))
        let calls = [
            RecordedCall(
                name: "pay", correlationId: "c1", requestor: "alice", provider: "bob",
                request: "{ \"amount\" : 1.50, \"note\": \"é\\n\\u00e9\" }", response: "[1, 2 ,3]",
                timeline: [
                    .init(step: .requested(data: "{ \"amount\" : 1.50, \"note\": \"é\\n\\u00e9\" }"), at: at(1)),
                    .init(step: .routed(to: PeerID(7)), at: at(2), peerName: "bob"),
                    .init(step: .accepted(by: PeerID(7)), at: at(3), peerName: "bob"),
                    .init(step: .responded(data: "[1, 2 ,3]"), at: at(4)),
                ]),
            RecordedCall(
                name: "lookup", correlationId: "c2", request: nil, response: #""nope""#,
                timeline: [.init(step: .requested(data: nil), at: at(5)), .init(step: .errored(data: #""nope""#), at: at(6))]),
            RecordedCall(
                name: "x", correlationId: "c3",
                timeline: [.init(step: .requested(data: nil), at: at(7)), .init(step: .failed(reason: .noRPCProvider), at: at(8))]),
            RecordedCall(
                name: "secret", correlationId: "c4", requestor: "eve",
                timeline: [
                    .init(step: .requested(data: nil), at: at(9)),
                    .init(step: .denied(rule: "rpc.secret.request", reason: .messageDenied), at: at(9)),
                ]),
            RecordedCall(
                name: "slow", correlationId: "c5", request: "1",
                timeline: [.init(step: .requested(data: "1"), at: at(10)), .init(step: .abandoned(reason: "timeout"), at: at(20))]),
            RecordedCall(
                name: "odd", correlationId: "c6",
                timeline: [.init(step: .requested(data: nil), at: at(21)), .init(step: .failed(reason: RPCAction(rawValue: 999)), at: at(22))]),
        ]
        let text = ([RecordingFormat.line(for: header)] + calls.map(RecordingFormat.line(for:))).joined(separator: "\n") + "\n"
        #expect(text.split(separator: "\n").count == 1 + calls.count)
        let read = RecordingReader.read(text)
        #expect(read.header == header)
        #expect(read.calls == calls)
        #expect(read.badLineCount == 0)
        #expect(calls.map(\.outcome) == ["RESPONSE", "REQUEST_ERROR", "NO_RPC_PROVIDER", "MESSAGE_DENIED", "abandoned: timeout", "UNKNOWN_ACTION_999"])
    }

    @Test("A call line has the documented members")
    func lineShape() throws {
        let call = RecordedCall(
            name: "pay", correlationId: "c1", requestor: "alice", provider: "bob", request: "1", response: "2",
            timeline: [
                .init(step: .requested(data: "1"), at: Timestamp(nanoseconds: 5)),
                .init(step: .routed(to: PeerID(3)), at: Timestamp(nanoseconds: 6), peerName: "bob"),
                .init(step: .responded(data: "2"), at: Timestamp(nanoseconds: 7)),
            ])
        #expect(RecordingFormat.line(for: call) == """
            {"name":"pay","correlationId":"c1","requestor":"alice","provider":"bob","outcome":"RESPONSE",\
            "request":"1","response":"2","timeline":[{"at":5,"step":"requested"},\
            {"at":6,"step":"routed","peer":3,"user":"bob"},{"at":7,"step":"responded"}]}
            """)
        #expect(RecordingFormat.line(for: RecordingHeader(source: "console", startedAt: Timestamp(nanoseconds: 9))) ==
            #"{"recording":"dsconsole","version":1,"source":"console","startedAt":9}"#)
    }

    @Test("Bad lines are counted and the first one is named; good lines around them still load")
    func badLines() {
        let good = RecordingFormat.line(for: RecordedCall(
            name: "a", correlationId: "1",
            timeline: [.init(step: .requested(data: nil), at: at(1)), .init(step: .responded(data: nil), at: at(2))]))
        let text = [
            RecordingFormat.line(for: RecordingHeader(source: "s", startedAt: at(0))),
            good,
            String(good.dropLast(10)),
            "",
            #"{"name":"b","correlationId":"2","timeline":[{"at":1,"step":"requested"}]}"#,
            #"{"name":"c","correlationId":"3","timeline":[{"at":1,"step":"teleported"}]}"#,
            good,
        ].joined(separator: "\n")
        let read = RecordingReader.read(text)
        #expect(read.calls.count == 2)
        #expect(read.badLineCount == 3)
        #expect(read.firstBadLine?.line == 3)
        #expect(read.firstBadLine?.problem.hasPrefix("not JSON") == true)
    }

    @Test("A foreign file is refused at its first line")
    func foreignHeader() {
        let read = RecordingReader.read(#"{"event":"listening","url":"ws://x"}"# + "\n")
        #expect(read.header == nil)
        #expect(read.firstBadLine == BadRecordingLine(line: 1, problem: #"not a dsconsole recording header (no "recording":"dsconsole")"#))
        let future = RecordingReader.read(#"{"recording":"dsconsole","version":2,"source":"s","startedAt":1}"#)
        #expect(future.firstBadLine?.problem == "header: version 2 is not supported (this dsconsole reads 1)")
    }
}
