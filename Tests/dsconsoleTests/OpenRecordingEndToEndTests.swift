import CallRecording
import DeepstreamProtocol
import Foundation
import Testing

/// `dsconsole open` in the real console (tmux): a recording made by `dsconsole record` shows the same
/// calls, offline, with the filter, the detail view and the Stats view.
@Suite("Open a recording (tmux)", .serialized)
struct OpenRecordingEndToEndTests {
    /// A directory with a short path, so that the status line has room for `offline: FILE` and the notice.
    static func shortDirectory() throws -> URL {
        let dir = URL(fileURLWithPath: "/tmp/dso-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test("record → open: one row per recorded call with its name, route and state; filter, detail and Stats work")
    func recordThenOpen() async throws {
        let dir = try Self.shortDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = try await BinaryTests.ReplayCommandTests.makeRecording(in: dir)
        let recorded = RecordingReader.read(try String(contentsOfFile: path, encoding: .utf8)).calls
        #expect(recorded.count == 6)
        try await RunningConsole.run(arguments: ["open", path]) { console in
            try await console.session.waitUntil(timeout: .seconds(10)) { $0.contains("offline: \(path)") && $0.contains("Opened \(path): 6 calls") }
            let screen = try await console.session.capturePane()
            let rows = console.callRows(screen)
            #expect(rows.count == 6, "\(screen)")
            let expectedStates = recorded.map { $0.outcome == "RESPONSE" ? "ok" : "request-error" }
            for (row, (call, state)) in zip(rows, zip(recorded, expectedStates)) {
                #expect(row.contains(" \(call.name) ") && row.contains(" \(state) "), "\(row)")
                // The recording's requestor is `dsconsole call`'s open login; the provider is `provide`'s.
                #expect(row.contains("→ #"), "\(row)")
            }
            #expect(!screen.contains("OPEN ws://"))
            // The filter.
            try await console.session.sendKeys("/")
            try await console.session.type("name:add")
            try await console.session.sendKeys("Enter")
            try await console.session.waitUntil { $0.contains("2 of 6 calls match") }
            #expect(console.callRows(try await console.session.capturePane()).allSatisfy { $0.contains(" add ") })
            // The detail view with the recorded timeline and payloads.
            try await console.session.sendKeys("Enter")
            try await console.session.waitUntil { $0.contains("accepted") && $0.contains(#""a":"#) }
            try await console.session.sendKeys("q")
            // Esc clears the notice, then the filter (the Stats view shares it).
            for _ in 0..<3 where !(try await console.session.capturePane()).contains("6 calls · 0 dropped") {
                try await console.session.sendKeys("Escape")
                try? await console.session.waitUntil(timeout: .seconds(2)) { $0.contains("6 calls · 0 dropped") }
            }
            // The Stats view counts every recorded call.
            try await console.session.sendKeys("S")
            try await console.session.waitUntil { screen in
                screen.split(separator: "\n").contains { $0.contains("greet") && $0.contains(" 3 ") }
                    && screen.split(separator: "\n").contains { $0.contains("fails") && $0.contains(" 1 ") }
            }
        }
    }

    @Test("A file with bad lines: the rest is shown and the status line names the first bad line; a missing file is one line")
    func badLines() async throws {
        let dir = try Self.shortDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("bad.jsonl").path
        let start: UInt64 = 1_764_000_000_000_000_000
        var lines = [RecordingFormat.line(for: RecordingHeader(source: "test", startedAt: Timestamp(nanoseconds: start)))]
        for index in 0..<3 {
            let at = start + UInt64(index) * 1_000_000
            lines.append(RecordingFormat.line(for: RecordedCall(
                name: "lookup", correlationId: "c\(index)",
                timeline: [.init(step: .requested(data: nil), at: Timestamp(nanoseconds: at)),
                           .init(step: .failed(reason: .noRPCProvider), at: Timestamp(nanoseconds: at + 500_000))])))
        }
        lines.insert(#"{"name":"truncated","correlationId":"x","timeline":[{"at":1,"#, at: 2)
        lines.append(#"{"name":"teleport","correlationId":"y","timeline":[{"at":1,"step":"teleported"}]}"#)
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        try await RunningConsole.run(arguments: ["open", path]) { console in
            try await console.session.waitUntil(timeout: .seconds(10)) { $0.contains("skipped 2 bad lines (first: line 3: not JSON") }
            let rows = console.callRows(try await console.session.capturePane())
            #expect(rows.count == 3)
            #expect(rows.allSatisfy { $0.contains(" lookup ") && $0.contains(" no-provider ") })
        }
        try await RunningConsole.run(arguments: ["open", dir.appendingPathComponent("none.jsonl").path]) { console in
            #expect(try await console.waitForExit() == 66)
            let message = try String(contentsOfFile: console.stderrPath, encoding: .utf8)
            #expect(message.hasPrefix("dsconsole: cannot read recording "), "\(message)")
            #expect(message.split(separator: "\n").count == 1)
        }
    }
}
