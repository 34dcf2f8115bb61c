import CallRecording
import DeepstreamProtocol
import Testing

private func at(_ ms: UInt64) -> Timestamp { Timestamp(nanoseconds: 1_764_000_000_000_000_000 + ms * 1_000_000) }

private func call(
    _ name: String, _ cid: String, request: String? = nil, response: String? = nil, end: CallStep, start: UInt64 = 0,
    duration: UInt64 = 10
) -> RecordedCall {
    RecordedCall(
        name: name, correlationId: cid, request: request, response: response,
        timeline: [.init(step: .requested(data: request), at: at(start)), .init(step: end, at: at(start + duration))])
}

@Suite("Replay comparison, report and pacing")
struct ReplayTests {
    @Test("Answers: a make's result and a recorded call compare by outcome, then by data")
    func verdicts() throws {
        let recorded = call("a", "1", response: #"{"x":1.50,"at":5}"#, end: .responded(data: #"{"x":1.50,"at":5}"#))
        let old = ReplayAnswer(recorded: recorded)
        #expect(old == ReplayAnswer(outcome: "RESPONSE", data: ["x": .number(JSONNumber("1.50")!), "at": 5]))
        #expect(ReplayVerdict.compare(recorded: old, replayed: ReplayAnswer(.success(["at": 5, "x": 1.5]))) == .same)
        let changed = ReplayVerdict.compare(recorded: old, replayed: ReplayAnswer(.success(["x": 1.5, "at": 6])))
        #expect(changed == .different([JSONDifference(path: JSONPath(components: [.key("at")]), kind: .changed(from: 5, to: 6))]))
        let ignored = ReplayVerdict.compare(
            recorded: old, replayed: ReplayAnswer(.success(["x": 1.5, "at": 6])), ignoring: [try JSONPathPattern(parsing: "$.at")])
        #expect(ignored == .same)
        #expect(ReplayVerdict.compare(recorded: old, replayed: ReplayAnswer(.failure(.requestError(["x": 1.5, "at": 5]))))
            == .differentOutcome(recorded: "RESPONSE", replayed: "REQUEST_ERROR"))
        #expect(ReplayVerdict.compare(recorded: old, replayed: ReplayAnswer(.failure(.noRPCProvider)))
            == .differentOutcome(recorded: "RESPONSE", replayed: "NO_RPC_PROVIDER"))
        // No data on one side is a difference at $.
        #expect(ReplayVerdict.compare(recorded: old, replayed: ReplayAnswer(.success(nil))).name == "different")
        let failed = ReplayAnswer(recorded: call("a", "2", end: .failed(reason: .noRPCProvider)))
        #expect(failed == ReplayAnswer(outcome: "NO_RPC_PROVIDER"))
        #expect(ReplayVerdict.compare(recorded: failed, replayed: ReplayAnswer(.failure(.noRPCProvider))) == .same)
        // Recorded text that is not JSON is compared as a string.
        let odd = ReplayAnswer(recorded: call("a", "3", response: "{oops", end: .responded(data: "{oops")))
        #expect(odd.data == .string("{oops"))
    }

    @Test("The report counts per name, keeps at most detailLimit mismatches, and renders table and JSON")
    func report() throws {
        var report = ReplayReport(planned: 5, detailLimit: 2)
        let a = call("alpha", "1", end: .responded(data: nil))
        let b = call("beta", "2", end: .responded(data: nil))
        report.add(.same, for: a, index: 1)
        report.add(.different([JSONDifference(path: JSONPath(components: [.key("x")]), kind: .added(1))]), for: a, index: 2)
        report.add(.differentOutcome(recorded: "RESPONSE", replayed: "NO_RPC_PROVIDER"), for: b, index: 3)
        report.add(.differentOutcome(recorded: "RESPONSE", replayed: "timeout"), for: b, index: 4)
        report.add(.same, for: b, index: 5)
        report.skip(because: "abandoned")
        #expect(!report.allMatched)
        #expect(report.total.compared == 5 && report.total.same == 2 && report.total.different == 1 && report.total.differentOutcome == 2)
        #expect(report.mismatches.map(\.index) == [2, 3])
        #expect(report.summaryText() == """
            rpc    calls  same  different  outcome≠
            alpha      2     1          1         0
            beta       3     1          0         2
            total      5     2          1         2
            #2 alpha (1): 1 difference
              + $.x: 1
            #3 beta (2): outcome RESPONSE -> NO_RPC_PROVIDER
            (1 more mismatching calls not listed)
            skipped 1: abandoned
            """)
        let json = report.json(file: "f", url: "ws://x", speed: .max, badLines: 0, firstBadLine: nil)
        #expect(json["result"] == "differed" && json["calls"] == 5 && json["mismatchesNotListed"] == 1 && json["speed"] == "max")
        guard case .array(let mismatches)? = json["mismatches"], case .array(let differences)? = mismatches.first?["differences"] else {
            Issue.record("no mismatches: \(json)")
            return
        }
        #expect(differences == [["path": "$.x", "kind": "added", "replayed": 1]])
        #expect(ReplayReport(planned: 0).allMatched)
    }

    @Test("Pacing: recorded offsets divided by the speed; max does not wait")
    func pacing() {
        #expect(ReplaySpeed(parsing: "2")?.delay(forOffset: .seconds(1)) == .milliseconds(500))
        #expect(ReplaySpeed(parsing: "0.5")?.delay(forOffset: .milliseconds(300)) == .milliseconds(600))
        #expect(ReplaySpeed(parsing: "1")?.delay(forOffset: .milliseconds(7)) == .milliseconds(7))
        #expect(ReplaySpeed(parsing: "MAX")?.delay(forOffset: .seconds(9)) == nil)
        for bad in ["0", "-1", "fast", "inf", "nan", ""] { #expect(ReplaySpeed(parsing: bad) == nil, "\(bad)") }
        let later = call("a", "1", end: .responded(data: nil), start: 2000)
        #expect(ReplaySpeed.factor(4).delay(for: later, firstStartedAt: at(0)) == .milliseconds(500))
        #expect(ReplaySpeed.factor(4).delay(for: call("a", "1", end: .responded(data: nil)), firstStartedAt: at(10)) == .zero)
        #expect(ReplaySpeed.factor(2).description == "2" && ReplaySpeed.factor(2.5).description == "2.5")
    }

    @Test("Recorded responses: matched by name and equal data in turn, or by name only; latency scaled")
    func recordedResponses() throws {
        let calls = [
            call("greet", "1", request: #"{"n":"a","v":1.0}"#, response: #""A1""#, end: .responded(data: #""A1""#), duration: 100),
            call("greet", "2", request: #"{"v":1,"n":"a"}"#, response: #""A2""#, end: .responded(data: #""A2""#), duration: 40),
            call("greet", "3", request: #"{"n":"b"}"#, response: #"{"e":1}"#, end: .errored(data: #"{"e":1}"#)),
            call("none", "4", end: .failed(reason: .noRPCProvider)),
            call("slow", "5", end: .failed(reason: .acceptTimeout)),
            call("hang", "6", end: .failed(reason: .responseTimeout)),
            call("deny", "7", end: .denied(rule: "r", reason: .messageDenied)),
            call("bad", "8", request: "{", end: .responded(data: nil)),
        ]
        var byData = RecordedResponses(calls, match: .data, speed: 2)
        #expect(byData.names == ["greet", "hang", "none", "slow"])
        #expect(byData.unusable == ["recorded request is not JSON": 1])
        #expect(byData.answer(name: "greet", data: ["n": "a", "v": 1]) == .respond("A1", after: .milliseconds(50)))
        #expect(byData.answer(name: "greet", data: ["v": 1.0, "n": "a"]) == .respond("A2", after: .milliseconds(20)))
        #expect(byData.answer(name: "greet", data: ["n": "a", "v": 1]) == .respond("A1", after: .milliseconds(50)))
        #expect(byData.answer(name: "greet", data: ["n": "b"]) == .error(["e": 1], after: .milliseconds(5)))
        #expect(byData.answer(name: "greet", data: ["n": "c"]) == nil)
        #expect(byData.answer(name: "greet", data: nil) == nil)
        #expect(byData.answer(name: "none", data: nil) == .reject)
        #expect(byData.answer(name: "slow", data: nil) == .neverAccept)
        #expect(byData.answer(name: "hang", data: nil) == .acceptThenNeverRespond)
        #expect(byData.answer(name: "deny", data: nil) == nil)

        var byName = RecordedResponses(calls.prefix(3), match: .name, speed: 0)
        #expect(byName.answer(name: "greet", data: "anything") == .respond("A1", after: .zero))
        #expect(byName.answer(name: "greet", data: nil) == .respond("A2", after: .zero))
        #expect(byName.answer(name: "greet", data: nil) == .error(["e": 1], after: .zero))
        #expect(RecordedResponses.notRecorded(name: "x", data: [1]) == ["notRecorded": ["name": "x", "data": [1]]])
        #expect(RecordedResponses.notRecorded(name: "x", data: nil) == ["notRecorded": ["name": "x"]])
    }

    @Test("Canonical text: equal values alike, different values apart")
    func canonical() throws {
        func c(_ text: String) throws -> String { JSONCanonical.text(of: try JSONValue(parsing: text)) }
        #expect(try c(#"{"b":[1.50,-0],"a":"x"}"#) == c(#"{"a":"x","b":[15e-1,0]}"#))
        #expect(try c("1") != c("\"1\""))
        #expect(try c("[1,2]") != c("[2,1]"))
        #expect(try c("100") == c("1e2"))
    }
}
