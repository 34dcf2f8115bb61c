import DeepstreamBroker
import DeepstreamClient
import DeepstreamProtocol
import Foundation
import Testing

/// Issue 11's usability bugs, each reproduced through the real binary in tmux the way it was found.
/// Every test fails on the console before the fix (the reason is noted in each).
@Suite("Console usability end to end (tmux)", .serialized)
struct ConsoleUsabilityEndToEndTests {
    /// Bug 1. Before: `q` in the detail view exited 0 and the log was gone.
    @Test("q closes the call detail; quitting with calls in the log asks first")
    func quitFromDetailClosesIt() async throws {
        try await RunningConsole.run { console in
            try await console.waitForProvider("add-two-numbers", state: "on")
            try await console.send("add-two-numbers", body: #"{"numA": 1, "numB": 2}"#)
            try await console.session.waitUntil(timeout: .seconds(10)) { $0.contains("add-two-numbers: 3") }
            // Composer body → Tab → Calls; Enter opens the selected (newest) call.
            try await console.session.sendKeys("Tab")
            try await console.session.sendKeys("Enter")
            try await console.session.waitUntil { $0.contains("Timeline") }
            try await console.session.sendKeys("q")
            try await console.session.waitUntil { !$0.contains("Timeline") && $0.contains("Providers") }
            #expect(try await console.session.exitStatus() == nil, "q in the detail must not quit")
            // q from a pane with a call in the log asks; n stays, y quits with status 0.
            try await console.session.sendKeys("q")
            try await console.session.waitUntil { $0.contains("Quit?") && $0.contains("1 call in the log") }
            try await console.session.sendKeys("n")
            try await console.session.waitUntil { !$0.contains("Quit?") }
            #expect(try await console.session.exitStatus() == nil)
            try await console.session.sendKeys("q")
            try await console.session.waitUntil { $0.contains("Quit?") }
            try await console.session.sendKeys("y")
            #expect(try await console.waitForExit() == 0)
        }
    }

    /// Bug 2. Before: Tab in an empty name field cycled through every known name forever.
    @Test("Tab in an empty RPC name moves on; after the last completion it moves on too")
    func tabLeavesTheNameField() async throws {
        try await RunningConsole.run { console in
            try await console.waitForProvider("add-two-numbers", state: "on")
            try await console.session.sendKeys("c")
            for _ in 0..<12 { try await console.session.sendKeys("Tab") }
            // 12 Tabs from the composer cycle the three panes four times: back in the composer, and the
            // name field was never filled in.
            let screen = try await console.session.waitUntil { $0.contains("Composer · typing") }
            #expect(console.composerName(screen) == "", "no name invented: \(screen)")
            try await console.session.sendKeys("Tab")
            try await console.session.waitUntil { $0.contains("Calls: Enter detail") }
            // With text, Tab completes; once the only match is complete, Tab moves on.
            try await console.session.sendKeys("c")
            try await console.session.type("add-t")
            try await console.session.sendKeys("Tab")
            try await console.session.waitUntil { console.composerName($0) == "add-two-numbers" }
            try await console.session.sendKeys("Tab")
            try await console.session.waitUntil { $0.contains("Calls: Enter detail") }
        }
    }

    /// Bug 3. Before: `l l` from Providers typed `l` into the composer, `/state:open` in Providers
    /// registered a provider `te:open`, and providers could not be deleted.
    @Test("h/l never type text, / filters from any pane, d deletes a provider after asking")
    func paneKeysNeverBecomeText() async throws {
        try await RunningConsole.run { console in
            try await console.waitForProvider("add-two-numbers", state: "on")
            try await console.session.sendKeys("Tab")  // Calls → Providers
            try await console.session.waitUntil { $0.contains("Providers: Space on/off") }
            try await console.session.sendKeys("l")
            try await console.session.waitUntil { $0.contains("Composer · Enter to type") }
            try await console.session.sendKeys("l")
            try await console.session.waitUntil { $0.contains("Calls: Enter detail") }
            // From Calls: h, then "a bad wibble" — nothing of it becomes the RPC name.
            try await console.session.sendKeys("h")
            try await console.session.type("a bad wibble")
            var screen = try await console.session.waitUntil { $0.contains("Calls: Enter detail") }
            #expect(console.composerName(screen) == nil, "the name field stays empty: \(screen)")
            // Providers focused: "/state:open" Enter filters the calls and adds no provider.
            try await console.session.sendKeys("h")
            try await console.session.sendKeys("h")
            try await console.session.waitUntil { $0.contains("Providers: Space on/off") }
            try await console.session.type("/state:open")
            try await console.session.sendKeys("Enter")
            screen = try await console.session.waitUntil { $0.contains("[state:open]") }
            #expect(screen.contains("Providers 9 "), "no provider was added (the built-in set has 9): \(screen)")
            // d on a provider asks, y deletes it.
            try await console.session.sendKeys("Tab")  // Calls → Providers
            try await console.session.waitUntil { $0.contains("Providers: Space on/off") }
            try await console.session.sendKeys("g")
            try await console.session.sendKeys("d")
            try await console.session.waitUntil { $0.contains("Delete add-two-numbers?") }
            try await console.session.sendKeys("y")
            try await console.session.waitUntil { screen in
                !screen.split(separator: "\n").contains { $0.contains("add-two-numb") && $0.contains("│on") }
            }
        }
    }

    /// Bug 4. Before: without bracketed paste every pasted newline was an Enter that copied the
    /// previous line's indentation, so nested JSON came out as a staircase.
    @Test("Pasted JSON keeps its own indentation")
    func bracketedPaste() async throws {
        try await RunningConsole.run { console in
            try await console.waitForProvider("add-two-numbers", state: "on")
            try await console.session.sendKeys("c")
            try await console.session.type("add-two-numbers")
            try await console.session.sendKeys("Enter")
            try await console.session.paste("{\n  \"numA\": {\n    \"deep\": 1\n  },\n  \"numB\": 2\n}")
            let screen = try await console.session.waitUntil { $0.contains("✓ valid JSON") && $0.contains("\"numB\"") }
            let lines = screen.split(separator: "\n").map(String.init)
            #expect(lines.contains { $0.contains("│    \"deep\": 1") }, "4 spaces before \"deep\":\n\(screen)")
            #expect(lines.contains { $0.contains("│  \"numB\": 2") }, "2 spaces before \"numB\":\n\(screen)")
            #expect(lines.contains { $0.contains("│}") }, "the closing brace at column 0:\n\(screen)")
        }
    }

    /// Bug 5. Before: `watch` never noticed that `head` had gone and ran until killed (here: until
    /// `timeout` ends it with 124).
    @Test("watch ends with status 0 as soon as its reader closes the pipe")
    func watchEndsOnClosedPipe() async throws {
        let broker = try await TestBroker.start()
        let home = NSTemporaryDirectory() + "dsconsole-pipe-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: home) }
        let binary = BuiltProducts.dsconsole.path
        let pipelines = [
            "'\(binary)' watch --serve --port 0",
            "'\(binary)' watch --url '\(broker.url)' --frames",
        ]
        for (index, pipeline) in pipelines.enumerated() {
            let status = "\(home)/status-\(index).txt"
            let command = "bash -c \"set -o pipefail; timeout 20 \(pipeline) | head -1 > '\(home)/line-\(index).txt'; echo \\$? > '\(status)'\""
            let session = try await TmuxSession.start(command: command, width: 100, height: 10)
            let deadline = ContinuousClock.now + .seconds(25)
            var text: String?
            while ContinuousClock.now < deadline {
                if let read = try? String(contentsOfFile: status, encoding: .utf8), !read.isEmpty { text = read; break }
                try await Task.sleep(for: .milliseconds(50))
            }
            await session.kill()
            #expect(text?.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "\(pipeline): status \(text ?? "none")")
            let line = try String(contentsOfFile: "\(home)/line-\(index).txt", encoding: .utf8)
            #expect(line.hasPrefix("{"), "one JSON line reached head: \(line)")
        }
        await broker.stop()
    }

    /// Bug 6. Before: at 80×24 provider names were cut to `add-…` and the Calls pane kept the CID
    /// while cutting the route; at 60×16 names vanished.
    @Test("Narrow terminals keep provider names and the call's name and route", arguments: [(80, 24), (60, 16)])
    func narrowLayouts(width: Int, height: Int) async throws {
        try await RunningConsole.run(width: width, height: height) { console in
            try await console.waitForProvider("add-two-numbers", state: "on")
            try await console.send("add-two-numbers", body: #"{"numA": 1, "numB": 2}"#)
            // At 60 columns the time column is gone: a call row is the line with a route and a state.
            func callRow(_ screen: String) -> Substring? {
                screen.split(separator: "\n").first { $0.contains(" → ") && $0.contains(" ok") }
            }
            let screen = try await console.session.waitUntil(timeout: .seconds(10)) { callRow($0) != nil }
            let providerRow = screen.split(separator: "\n").first { $0.hasPrefix("│on") }
            #expect(providerRow?.contains("add-two-numbers") == true, "full provider name:\n\(screen)")
            let row = try #require(callRow(screen))
            #expect(row.contains("add-two-numbers"), "full call name:\n\(screen)")
            #expect(row.contains("console → #1 console") || row.contains("console → console"), "the route:\n\(screen)")
            #expect(!row.contains("…"), "nothing of the row is cut:\n\(screen)")
        }
    }

    /// Bug 7. Before: the rejection was cut at 80 columns and the prompt closed, losing the text.
    @Test("A rejected provider keeps its text and the full reason is readable")
    func rejectedPromptKeepsText() async throws {
        try await RunningConsole.run(width: 80, height: 24) { console in
            try await console.waitForProvider("add-two-numbers", state: "on")
            try await console.session.sendKeys("Tab")  // Calls → Providers
            try await console.session.sendKeys("a")
            try await console.session.type("bad wibble")
            try await console.session.sendKeys("Enter")
            // The prompt is back with the text, and says why (the reason ends with the list of behaviours).
            var screen = try await console.session.waitUntil { $0.contains("Add provider") && $0.contains("bad wibble") && $0.contains("never-respond") }
            #expect(screen.contains("unknown behaviour"))
            // Fix it in place: the kept text is edited, not retyped.
            for _ in 0..<"wibble".count { try await console.session.sendKeys("BSpace") }
            try await console.session.type("echo")
            try await console.session.sendKeys("Enter")
            // The new provider is the last row: G selects (and shows) it.
            try await console.session.waitUntil { $0.contains("Providers 10") }
            try await console.session.sendKeys("G")
            try await console.waitForProvider("bad", state: "on")
            // M shows every notice in full.
            try await console.session.sendKeys("M")
            screen = try await console.session.waitUntil { $0.contains("Messages") }
            #expect(screen.contains("never-respond"), "the whole rejection:\n\(screen)")
        }
    }

    /// Bug 8. Before: `connect` provided every mock of the providers file, so the console answered a
    /// JS client's call on a shared server.
    @Test("connect provides nothing on a remote server until asked; the pane says what is live")
    func connectProvidesNothingUnasked() async throws {
        let broker = try await TestBroker.start()
        try await RunningConsole.run(arguments: ["connect", broker.url]) { console in
            try await console.session.waitUntil(timeout: .seconds(10)) { $0.contains("OPEN ") }
            try await console.waitForProvider("add-two-numbers", state: "off")
            try await console.session.waitUntil { $0.contains("0 live on the server") }
            let client = try ClientEngine(url: broker.url)
            try await client.login()
            do throws(RPCError) {
                _ = try await client.make("add-two-numbers", data: ["numA": 1, "numB": 2], timeout: .seconds(5))
                Issue.record("the console answered a call it was never asked to provide")
            } catch {
                #expect(error == .noRPCProvider)
            }
            // Space provides the selected one; now it answers.
            try await console.session.sendKeys("Tab")
            try await console.session.sendKeys("Space")
            try await console.waitForProvider("add-two-numbers", state: "on")
            try await console.session.waitUntil { $0.contains("1 live on the server") }
            let answer = try await client.make("add-two-numbers", data: ["numA": 1, "numB": 2], timeout: .seconds(5))
            #expect(answer?.jsonText == "3")
            await client.close()
            await console.session.kill()
            await broker.stop()
        }
    }
}

extension ConsoleUsabilityEndToEndTests {
    @Test("Y in the call detail copies it as a dsconsole call line; Ctrl-R finds and loads a request")
    func copyAndHistorySearch() async throws {
        try await RunningConsole.run { console in
            try await console.waitForProvider("add-two-numbers", state: "on")
            try await console.send("add-two-numbers", body: #"{"numA": 1, "numB": 2}"#)
            try await console.session.waitUntil(timeout: .seconds(10)) { $0.contains("add-two-numbers: 3") }
            try await console.session.sendKeys("Tab")
            try await console.session.sendKeys("Enter")
            try await console.session.waitUntil { $0.contains("Timeline") }
            try await console.session.sendKeys("Y")
            try await console.session.waitUntil { $0.contains("Copied the call") }
            let copied = try String(contentsOfFile: console.home + "/state/dsconsole/last-copy.txt", encoding: .utf8)
            #expect(copied == #"dsconsole call 'add-two-numbers' '{"numA":1,"numB":2}'"#)
            // Ctrl-R: search the history, Enter loads the request into the composer without sending.
            try await console.session.sendKeys("q")
            try await console.session.sendKeys("C-x")  // nothing: Ctrl-X only clears inside the composer
            try await console.session.sendKeys("C-r")
            try await console.session.waitUntil { $0.contains("History search") }
            try await console.session.type("atn")
            try await console.session.sendKeys("Enter")
            let screen = try await console.session.waitUntil { console.composerName($0) == "add-two-numbers" && $0.contains("Body:") }
            #expect(console.callRows(screen).count == 1, "loading sent nothing")
        }
    }

    @Test("dsconsole --version prints the version")
    func version() async throws {
        let result = try await Spawn.run(BuiltProducts.dsconsole.path, ["--version"], timeout: .seconds(10))
        #expect(result.exitStatus == 0)
        #expect(result.output.hasPrefix("dsconsole "), "\(result.output)")
    }
}

extension RunningConsole {
    /// The composer's RPC name as shown (`RPC name`), nil when the field shows its placeholder or is
    /// not visible; `""` when it is empty and being edited.
    func composerName(_ screen: String) -> String? {
        guard let line = screen.split(separator: "\n").first(where: { $0.contains("│RPC ") }) else { return nil }
        let after = line[line.range(of: "│RPC ")!.upperBound...]
        let text = after.prefix { $0 != "│" }.trimmingCharacters(in: .whitespaces)
        return text.hasPrefix("(name") ? nil : text
    }
}
