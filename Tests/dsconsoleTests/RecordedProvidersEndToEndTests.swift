import CallRecording
import DeepstreamProtocol
import Foundation
import Testing

/// `--providers-from-recording` in the real console (tmux, embedded broker): the recording's names are
/// the console's own providers, marked `rec`; another client (`dsconsole call`) gets the recorded
/// answers, and `notRecorded` for a request the recording does not have.
@Suite("Recorded providers in the console (tmux)", .serialized)
struct RecordedProvidersEndToEndTests {
    @Test("Another client's call to a recorded name gets the recorded answer; an unrecorded request gets notRecorded")
    func servesTheRecording() async throws {
        let dir = try OpenRecordingEndToEndTests.shortDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("calls.jsonl").path
        let text = RecordedProvidersTests.text(extra: [
            RecordedProvidersTests.call("lookup", "l1", request: #"{"id":7}"#, response: #"{"missing":7}"#, latency: 400, error: true),
        ])
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        try await RunningConsole.run(arguments: ["--port", "0", "--providers-from-recording", path, "--recording-speed", "2"]) { console in
            // The INFO column is narrow: `rec 2 rec…` (the detail, i, has the whole summary).
            try await console.session.waitUntil(timeout: .seconds(10)) { screen in
                screen.split(separator: "\n").contains { $0.contains(" greet ") && $0.contains("rec 2") }
            }
            for name in ["greet", "add", "lookup"] { try await console.waitForProvider(name, state: "on") }
            let screen = try await console.session.waitUntil { $0.contains("OPEN ws://") }
            let match = try #require(screen.firstMatch(of: /ws:\/\/127\.0\.0\.1:(\d+)\/deepstream/), "no URL on: \(screen)")
            let url = "ws://127.0.0.1:\(match.output.1)/deepstream"

            // The recorded answer for equal data (another member order and spelling).
            let greet = try await ChildProcess.run(["call", "greet", #"{ "name" : "Bob" }"#, "--url", url])
            #expect(greet.status == 0, "\(greet.stderr)")
            #expect(try JSONValue(parsing: greet.stdout) == ["greeting": "Hello, Bob!"])
            let add = try await ChildProcess.run(["call", "add", #"{"b": 2.0, "a": 40}"#, "--url", url])
            #expect(add.stdout == "42\n", "\(add.stderr)")
            // A recorded REQUEST_ERROR after the recorded 400 ms divided by --recording-speed 2.
            let started = ContinuousClock.now
            let lookup = try await ChildProcess.run(["call", "lookup", #"{"id": 7}"#, "--url", url])
            #expect(ContinuousClock.now - started >= .milliseconds(200))
            #expect(lookup.status == 1 && lookup.stderr == #"{"missing":7}"# + "\n", "\(lookup.stderr)")
            // Nothing recorded for this data.
            let unknown = try await ChildProcess.run(["call", "greet", #"{"name": "Zed"}"#, "--url", url])
            #expect(unknown.status == 1)
            #expect(unknown.stderr == #"{"notRecorded":{"name":"greet","data":{"name":"Zed"}}}"# + "\n")
            // The calls show in the Calls pane, served by the console.
            try await console.session.waitUntil { screen in
                console.callRows(screen).filter { $0.contains(" greet ") }.count == 2
                    && console.callRows(screen).contains { $0.contains(" add ") && $0.contains(" ok ") }
            }
            // The built-in mocks are still there; the recorded echo replaced the built-in one.
            let after = try await console.session.capturePane()
            #expect(after.contains("add-two-numb"))
            #expect(after.split(separator: "\n").contains { $0.contains(" echo ") && $0.contains("rec 1") }, "\(after)")
        }
    }

    @Test("a then @FILE in the Providers pane adds the recording's names as providers; a bad path reopens the prompt")
    func addFromThePrompt() async throws {
        let dir = try OpenRecordingEndToEndTests.shortDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("w.jsonl").path
        let lines = [
            RecordingFormat.line(for: RecordingHeader(source: "test", startedAt: Timestamp(nanoseconds: RecordedProvidersTests.start))),
            RecordedProvidersTests.call("weather", "w1", request: #"{"city":"Oslo"}"#, response: #"{"sky":"grey"}"#),
            RecordedProvidersTests.call("greet", "g1", request: #"{"name":"Ada"}"#, response: #""recorded hello""#),
        ]
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        try await RunningConsole.run(arguments: ["--port", "0"]) { console in
            try await console.waitForProvider("add-two-numbers", state: "on")
            let screen = try await console.session.waitUntil { $0.contains("OPEN ws://") }
            let match = try #require(screen.firstMatch(of: /ws:\/\/127\.0\.0\.1:(\d+)\/deepstream/), "no URL on: \(screen)")
            let url = "ws://127.0.0.1:\(match.output.1)/deepstream"
            try await console.session.sendKeys("Tab")  // Calls → Providers
            try await console.session.sendKeys("a")
            try await console.session.waitUntil { $0.contains("· @calls.jsonl") }
            try await console.session.type("@" + dir.appendingPathComponent("none.jsonl").path)
            try await console.session.sendKeys("Enter")
            try await console.session.waitUntil { $0.contains("Add provider") && $0.contains("cannot read recording") }
            try await console.session.sendKeys("C-u")
            try await console.session.type("@" + path)
            try await console.session.sendKeys("Enter")
            try await console.session.waitUntil { $0.contains("Providing 1 recorded RPC from \(path) (skipped, already own providers: greet)") }
            try await console.waitForProvider("weather", state: "on")
            let weather = try await ChildProcess.run(["call", "weather", #"{"city": "Oslo"}"#, "--url", url])
            #expect(weather.stdout == #"{"sky":"grey"}"# + "\n", "\(weather.stderr)")
            // greet stays the built-in mock (the recorded greet was skipped).
            let greet = try await ChildProcess.run(["call", "greet", #"{"name": "Ada"}"#, "--url", url])
            #expect(greet.stdout.contains("Hello, Ada!"), "\(greet.stdout)")
        }
    }

    @Test("A recording with a bad line stops the start with one line naming it (65); a missing one is 66")
    func badRecording() async throws {
        let dir = try OpenRecordingEndToEndTests.shortDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("bad.jsonl").path
        try RecordedProvidersTests.text(extra: [#"{"name":"cut","timeline":[{"at":1,"#]).write(toFile: path, atomically: true, encoding: .utf8)
        try await RunningConsole.run(arguments: ["--port", "0", "--providers-from-recording", path]) { console in
            #expect(try await console.waitForExit() == 65)
            let message = try String(contentsOfFile: console.stderrPath, encoding: .utf8)
            #expect(message.hasPrefix("dsconsole: \(path): line 6: not JSON"), "\(message)")
            #expect(message.hasSuffix("(1 bad line)\n"), "\(message)")
            #expect(message.split(separator: "\n").count == 1)
        }
        try await RunningConsole.run(arguments: ["--port", "0", "--providers-from-recording", dir.appendingPathComponent("none.jsonl").path]) { console in
            #expect(try await console.waitForExit() == 66)
            let message = try String(contentsOfFile: console.stderrPath, encoding: .utf8)
            #expect(message.hasPrefix("dsconsole: cannot read recording "), "\(message)")
        }
        // Usage errors (64) before anything starts: open provides nothing, cluster is read-only.
        for (arguments, expected) in [
            (["open", path, "--providers-from-recording", path], "open provides nothing"),
            (["cluster", "redis://127.0.0.1:1", "--providers-from-recording", path], "the cluster view is read-only"),
            (["--recording-match", "name"], "go with --providers-from-recording"),
            (["--providers-from-recording", path, "--recording-speed", "0"], "--recording-speed must be a positive number or max"),
            (["connect", "ws://127.0.0.1:1", "--providers-from-recording", path, "--recording-match", "value"], "must be data or name"),
        ] {
            let run = try await ChildProcess.run(arguments)
            #expect(run.status == 64, "\(arguments) \(run.stderr)")
            #expect(run.stderr.contains(expected), "\(run.stderr)")
        }
    }
}
