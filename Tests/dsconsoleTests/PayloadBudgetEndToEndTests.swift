import CallRecording
import DeepstreamProtocol
import Foundation
import Testing

@testable import dsconsole

/// `--payload-memory` in the real binary: validation, and a console with a 1 MiB budget (tmux).
@Suite("Payload memory budget (binary, tmux)", .serialized)
struct PayloadBudgetEndToEndTests {
    @Test("--payload-memory outside 0…65536 or not a number is a one-line usage error (64) on every console command")
    func validation() async throws {
        for arguments in [
            ["--payload-memory=-1"],
            ["connect", "ws://127.0.0.1:1", "--payload-memory", "65537"],
            ["open", "/nonexistent.jsonl", "--payload-memory", "100000"],
        ] {
            let run = try await ChildProcess.run(arguments)
            #expect(run.status == 64, "\(arguments) \(run.stderr)")
            #expect(run.stderr.contains("--payload-memory must be from 0 to 65536 (MiB)"), "\(run.stderr)")
        }
        let words = try await ChildProcess.run(["--payload-memory", "lots"])
        #expect(words.status == 64, "\(words.stderr)")
        #expect(words.stderr.contains("--payload-memory"), "\(words.stderr)")
    }

    /// A recording of four `big` calls, each with a 400,000-byte request and the response `1`.
    static func bigRecording() -> String {
        let start = Timestamp(nanoseconds: 1_764_000_000_000_000_000)
        var text = RecordingFormat.line(for: RecordingHeader(source: "console", startedAt: start)) + "\n"
        for index in 0..<4 {
            let at = Timestamp(nanoseconds: start.nanoseconds + UInt64(index) * 1_000_000_000)
            let request = "\"" + String(repeating: Character(String(index)), count: 399_998) + "\""
            let call = RecordedCall(
                name: "big", correlationId: "c\(index)", request: request, response: "1",
                timeline: [
                    RecordedCall.Step(step: .requested(data: request), at: at),
                    RecordedCall.Step(step: .responded(data: "1"), at: Timestamp(nanoseconds: at.nanoseconds + 2_000_000)),
                ])
            text += RecordingFormat.line(for: call) + "\n"
        }
        return text
    }

    @Test("With --payload-memory 1 the footer counts the dropped payloads; the detail says not kept; r refuses")
    func tinyBudget() async throws {
        try await RunningConsole.run(
            arguments: ["open", "big.jsonl", "--payload-memory", "1"], files: ["big.jsonl": Self.bigRecording()]
        ) { console in
            // 4 × 400,001 bytes in a 1 MiB budget: the two oldest calls' payloads go.
            try await console.session.waitUntil(timeout: .seconds(10)) { screen in
                screen.contains("Opened big.jsonl: 4 calls")
                    && screen.contains("4 calls · 0 dropped · payloads of 2 old calls dropped (memory budget 1 MiB)")
            }
            // Rows keep their sizes.
            let rows = console.callRows(try await console.session.capturePane())
            #expect(rows.count == 4 && rows.allSatisfy { $0.contains("390K→1B") }, "\(rows)")
            // The oldest call's detail: not kept, with its size, instead of "(no payload)".
            try await console.session.sendKeys("g", "Enter")
            try await console.session.waitUntil { screen in
                screen.contains("(payload not kept: memory budget, 390K)") && screen.contains("requested (390K, not kept)")
            }
            try await console.session.sendKeys("r")
            try await console.session.waitUntil { $0.contains("Cannot send big again: its request (390K) was not kept") }
            // The newest call's request is kept (its detail shows the JSON string).
            try await console.session.sendKeys("Escape", "G", "Enter")
            try await console.session.waitUntil { screen in screen.contains("\"3333333") && !screen.contains("not kept") }
        }
    }
}

/// Recordings whose `notKept` field says a payload was released by the console's budget.
@Suite("Recorded calls with payloads not kept")
struct NotKeptRecordingTests {
    func call(_ cid: String, request: String?, requestNotKept: Int? = nil, responseNotKept: Int? = nil) -> RecordedCall {
        let at = Timestamp(nanoseconds: 1_764_000_000_000_000_000)
        return RecordedCall(
            name: "big", correlationId: cid, request: request, response: responseNotKept == nil ? "1" : nil,
            timeline: [
                RecordedCall.Step(step: .requested(data: request), at: at),
                RecordedCall.Step(step: .responded(data: responseNotKept == nil ? "1" : nil), at: at),
            ],
            requestNotKeptBytes: requestNotKept, responseNotKeptBytes: responseNotKept)
    }

    @Test("replay skips a call whose request was not kept, with the reason in the report")
    func replaySkips() {
        let (plan, report) = ReplayCommand.plan(
            [call("a", request: nil, requestNotKept: 400_000), call("b", request: "[1]")], filter: nil)
        #expect(plan.map(\.call.correlationId) == ["b"])
        #expect(report.skipped == ["recorded request not kept by the recording console (its payload memory budget)": 1])
    }

    @Test("provide --from-recording --match data does not index a call whose request was not kept")
    func recordedResponsesByData() {
        let responses = RecordedResponses(
            [call("a", request: nil, requestNotKept: 10), call("b", request: "[1]"), call("c", request: "[2]", responseNotKept: 5)],
            match: .data)
        #expect(responses.usableCount == 1)
    }
}
