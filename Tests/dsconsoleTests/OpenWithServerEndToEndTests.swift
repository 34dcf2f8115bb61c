import Foundation
import Testing

/// Issue 13 on recorded calls: `dsconsole open FILE --url URL` shows the recording and connects to URL,
/// so `r` / `e` on a recorded call send it there (real `serve`, `provide` and console in tmux).
extension OpenRecordingEndToEndTests {
    @Test("open --url: r on a recorded call sends it to the server, the live answer is a new row; e loads it into the composer")
    func resendRecordedCall() async throws {
        let dir = try Self.shortDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = try await BinaryTests.ReplayCommandTests.makeRecording(in: dir)
        let (serve, url) = try await BinaryTests.ReplayCommandTests.serve()
        defer { serve.send(SIGTERM) }
        // The changed providers answer `Hi, …` where the recording says `Hello, …`: the live answer is
        // told apart from the recorded one.
        let provider = try await BinaryTests.CallCommandTests.provider(
            ["--file", try temporaryFile(BinaryTests.ReplayCommandTests.changedProviders)], url: url)
        defer { provider.send(SIGINT) }
        try await RunningConsole.run(width: 160, arguments: ["open", path, "--url", url]) { console in
            try await console.session.waitUntil(timeout: .seconds(10)) { $0.contains("Opened \(path): 6 calls") }
            try await console.session.waitUntil(timeout: .seconds(10)) { $0.contains("\(path) → OPEN") }
            #expect(!(try await console.session.capturePane()).contains("Hi, Ada!"))
            // The first recorded call is greet {"name":"Ada"}.
            try await console.session.sendKeys("g")
            try await console.session.sendKeys("r")
            try await console.session.waitUntil(timeout: .seconds(10)) { $0.contains("Hi, Ada!") }
            try await console.session.waitUntil(timeout: .seconds(10)) { screen in
                console.callRows(screen).filter { $0.contains(" greet ") }.count == 4
            }
            // e: the recorded call's name and data in the composer; edit and send to the server.
            try await console.session.sendKeys("g")
            try await console.session.sendKeys("e")
            let screen = try await console.session.waitUntil { $0.contains("Composer · typing") && $0.contains("\"Ada\"") }
            #expect(console.composerName(screen) == "greet")
            try await console.session.sendKeys("C-x")
            try await console.session.type(#"{"name": "Eve"}"#)
            try await console.session.waitUntil { $0.contains("✓ valid JSON") }
            try await console.session.sendKeys("C-s")
            try await console.session.waitUntil(timeout: .seconds(10)) { $0.contains("Hi, Eve!") }
        }
    }

    @Test("open --url on an unreachable server: the recorded calls stay, the status line shows the state, r fails as a send; --user needs --url")
    func unreachableServer() async throws {
        let dir = try Self.shortDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = try await BinaryTests.ReplayCommandTests.makeRecording(in: dir)
        try await RunningConsole.run(width: 160, arguments: ["open", path, "--url", "ws://127.0.0.1:1/deepstream"]) { console in
            // The connection's problem replaces the `Opened` notice; the rows are there all the same.
            let screen = try await console.session.waitUntil(timeout: .seconds(10)) { screen in
                console.callRows(screen).count == 6 && screen.contains("\(path) → ")
            }
            #expect(!screen.contains("\(path) → OPEN"), "\(screen)")
            try await console.session.sendKeys("g")
            try await console.session.sendKeys("r")
            // r on a recorded call: the send fails as any send to an unreachable server does, as a new row.
            try await console.session.waitUntil(timeout: .seconds(10)) { screen in
                screen.contains("greet: client offline")
                    && console.callRows(screen).contains { $0.contains(" greet ") && $0.contains("abandoned") }
            }
        }
        for arguments in [["open", path, "--user", "ada"], ["open", path, "--auth-json", "{}"]] {
            let run = try await ChildProcess.run(arguments)
            #expect(run.status == 64, "\(arguments) \(run.stderr)")
            #expect(run.stderr.contains("need --url"), "\(run.stderr)")
        }
    }
}
