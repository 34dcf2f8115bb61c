import DeepstreamBroker
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The real `dsconsole` binary in a tmux pane, driven like a user: each test starts the console on
/// its own port (`--port 0`: the broker picks a free one, no bind-close-rebind race) with its own HOME
/// and XDG state directory, sends keys and reads the screen.
@Suite("Console end to end (tmux)", .serialized)
struct ConsoleEndToEndTests {
    @Test("An RPC sent from the composer to the seed provider shows 11")
    func composerCallsSeedProvider() async throws {
        try await RunningConsole.run { console in
            try await console.waitForProvider("add-two-numbers", state: "on")
            try await console.send("add-two-numbers", body: #"{"numA": 4, "numB": 7}"#)
            let screen = try await console.session.waitUntil(timeout: .seconds(10)) { $0.contains("add-two-numbers: 11") }
            // The broker's view of the call (requestor: the console's own connection) is its one row.
            #expect(screen.contains("console → "), "the console's own call is listed")
            try await console.session.waitUntil { screen in
                screen.split(separator: "\n").contains { $0.contains("add-two-numbers") && $0.contains(" ok ") }
            }
            // The composer history went to $XDG_STATE_HOME/dsconsole/history.json.
            let history = try String(contentsOfFile: console.home + "/state/dsconsole/history.json", encoding: .utf8)
            #expect(history.contains("add-two-numbers") && history.contains("numA"))
        }
    }

    @Test("S opens the Stats view with the call's RPC, latencies and errors; x exports it as JSON")
    func statsView() async throws {
        try await RunningConsole.run { console in
            try await console.waitForProvider("add-two-numbers", state: "on")
            try await console.send("add-two-numbers", body: #"{"numA": 4, "numB": 7}"#)
            try await console.session.waitUntil(timeout: .seconds(10)) { $0.contains("add-two-numbers: 11") }
            // Stop typing (Esc), composer → Providers (h); switch the provider off and resend (F5).
            try await console.session.sendKeys("Escape")
            try await console.session.sendKeys("h")
            try await console.session.sendKeys("Space")
            try await console.waitForProvider("add-two-numbers", state: "off")
            try await console.session.sendKeys("F5")
            try await console.session.waitUntil(timeout: .seconds(10)) { $0.contains("add-two-numbers: NO_RPC_PROVIDER") }
            try await console.session.sendKeys("S")
            // Wait for the whole view, not only its title: a capture can catch tmux halfway through
            // the frame's output (the title is drawn first).
            let screen = try await console.session.waitUntil {
                $0.contains("Stats · 2 calls") && $0.contains("NO-PROV") && $0.contains("Total latency of add-two-numbers")
            }
            // The row: name, CALLS 2, calls/s, OK 1, REQ-ERR 0, NO-PROV 1, then latencies.
            let row = try #require(screen.split(separator: "\n").first { $0.contains("add-two-numbers") })
            let cells = row.split(whereSeparator: { $0 == " " || $0 == "│" }).map(String.init)
            #expect(Array(cells.prefix(3)) == ["▸", "add-two-numbers", "2"], "\(row)")
            #expect(cells.count > 6 && cells[4] == "1" && cells[5] == "0" && cells[6] == "1", "\(row)")
            #expect(screen.contains("NO-PROV") && screen.contains("Total latency of add-two-numbers"))
            try await console.session.sendKeys("x")
            try await console.session.waitUntil { $0.contains("Wrote statistics to dsconsole-stats-") }
            let files = try FileManager.default.contentsOfDirectory(atPath: console.home).filter { $0.hasPrefix("dsconsole-stats-") }
            let file = try #require(files.first)
            let report = try String(contentsOfFile: console.home + "/" + file, encoding: .utf8)
            #expect(report.contains(#""event":"stats""#) && report.contains(#""name":"add-two-numbers""#))
            #expect(report.contains(#""NO_RPC_PROVIDER":1"#))
            try await console.session.sendKeys("Escape")
            try await console.session.waitUntil { $0.contains("Providers") && !$0.contains("Stats ·") }
        }
    }

    @Test("A provider toggled off with Space leaves the call without a provider")
    func togglingProviderOffGivesNoProvider() async throws {
        try await RunningConsole.run { console in
            try await console.waitForProvider("add-two-numbers", state: "on")
            // Calls (the initial focus) → Tab → Providers; the first row is add-two-numbers.
            try await console.session.sendKeys("Tab")
            try await console.session.sendKeys("Space")
            try await console.waitForProvider("add-two-numbers", state: "off")
            try await console.send("add-two-numbers", body: #"{"numA": 4, "numB": 7}"#)
            try await console.session.waitUntil(timeout: .seconds(10)) { $0.contains("add-two-numbers: NO_RPC_PROVIDER") }
        }
    }

    @Test("The / filter hides calls that do not match and shows those that do")
    func filterNarrowsTheCalls() async throws {
        try await RunningConsole.run { console in
            try await console.waitForProvider("add-two-numbers", state: "on")
            try await console.send("add-two-numbers", body: #"{"numA": 1, "numB": 2}"#)
            try await console.session.waitUntil(timeout: .seconds(10)) { $0.contains("add-two-numbers: 3") }
            // Back to the Calls pane: Shift-Tab twice (Composer → Providers → Calls), then filter.
            try await console.session.sendKeys("BTab")
            try await console.session.sendKeys("BTab")
            try await console.session.sendKeys("/")
            try await console.session.type("name:nothing-like-this")
            try await console.session.sendKeys("Enter")
            try await console.session.waitUntil { screen in console.callRows(screen).isEmpty && screen.contains("name:nothing-like-this") }
            // Esc outside the input clears the filter; a matching filter shows the rows.
            try await console.session.sendKeys("Escape")
            try await console.session.sendKeys("/")
            try await console.session.type("name:add")
            try await console.session.sendKeys("Enter")
            try await console.session.waitUntil { screen in !console.callRows(screen).isEmpty && screen.contains("name:add") }
        }
    }

    @Test("--config with deepstream's files: a call the permissions deny shows state denied and the rule in its timeline")
    func deniedByDeepstreamPermissions() async throws {
        let dir = NSTemporaryDirectory() + "dsconsole-e2e-conf-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "record:\n  cacheRetrievalTimeout: 30000\npermission:\n  type: config\n  options:\n    permissions: fileLoad(permissions.yml)\n"
            .write(toFile: dir + "/config.yml", atomically: true, encoding: .utf8)
        try "rpc:\n  '*':\n    provide: true\n    request: true\n  'add-*':\n    request: 'data.numA < 100'\n"
            .write(toFile: dir + "/permissions.yml", atomically: true, encoding: .utf8)
        try await RunningConsole.run(arguments: ["--port", "0", "--config", dir + "/config.yml"]) { console in
            try await console.waitForProvider("add-two-numbers", state: "on")
            try await console.send("add-two-numbers", body: #"{"numA": 400, "numB": 7}"#)
            try await console.session.waitUntil(timeout: .seconds(10)) { $0.contains("MESSAGE_DENIED") }
            try await console.session.sendKeys("BTab")
            try await console.session.sendKeys("BTab")
            try await console.session.sendKeys("/")
            try await console.session.type("state:denied")
            try await console.session.sendKeys("Enter")
            try await console.session.waitUntil { screen in console.callRows(screen).count == 1 && screen.contains("denied") }
            try await console.session.sendKeys("Enter")
            try await console.session.waitUntil(timeout: .seconds(10)) { $0.contains("denied by rpc.add-*.request") }
        }
    }

    @Test("Resizing reflows the panes, too small shows the message, growing back restores them")
    func resizeReflowsAndTooSmall() async throws {
        try await RunningConsole.run(width: 120, height: 40) { console in
            try await console.waitForProvider("add-two-numbers", state: "on")
            try await console.session.resize(width: 30, height: 8)
            try await console.session.waitUntil { $0.contains("too small") && $0.contains("30×8") }
            try await console.session.resize(width: 90, height: 24)
            let screen = try await console.session.waitUntil { $0.contains("Providers") && $0.contains("Calls") }
            let lines = screen.split(separator: "\n", omittingEmptySubsequences: false)
            #expect(lines.allSatisfy { $0.count <= 90 }, "every line fits the new width")
            #expect(!screen.contains("too small"))
        }
    }

    @Test("NO_COLOR draws with attributes only; the default theme uses colour")
    func noColor() async throws {
        /// SGR colour parameters (30–37, 40–47, 90–97, 100–107, 38;5;n, 48;5;n; 39/49 = default).
        func colourCodes(_ screen: String) -> Int {
            var count = 0
            for match in screen.matches(of: /\e\[([0-9;]*)m/) {
                var parameters = match.output.1.split(separator: ";").compactMap { Int($0) }[...]
                while let parameter = parameters.popFirst() {
                    switch parameter {
                    case 30...37, 40...47, 90...97, 100...107: count += 1
                    case 38, 48:
                        count += 1
                        parameters = parameters.dropFirst(parameters.first == 5 ? 2 : 4)
                    default: break
                    }
                }
            }
            return count
        }
        try await RunningConsole.run(environment: ["NO_COLOR": "1"]) { plain in
            try await plain.waitForProvider("add-two-numbers", state: "on")
            let plainScreen = try await plain.session.capturePane(includingEscapes: true)
            #expect(colourCodes(plainScreen) == 0)
            #expect(plainScreen.contains("\u{1B}["), "attributes (bold, reverse, dim) remain")
        }

        // NO_COLOR empty counts as unset (the test runner may have it set).
        try await RunningConsole.run(environment: ["NO_COLOR": ""]) { coloured in
            try await coloured.waitForProvider("add-two-numbers", state: "on")
            let colouredScreen = try await coloured.session.capturePane(includingEscapes: true)
            #expect(colourCodes(colouredScreen) > 0, "\(colouredScreen.prefix(400).debugDescription)")
        }
    }

    @Test("q quits, restores the terminal and exits 0")
    func quitRestoresTerminal() async throws {
        try await RunningConsole.run(thenRecordTerminal: true) { console in
            try await console.waitForProvider("add-two-numbers", state: "on")
            try await console.session.sendKeys("q")
            let (status, modes) = try await console.waitForRecordedTerminal()
            #expect(status == "0")
            // The shell after the console: echo and canonical input are back, raw mode is gone.
            #expect(modes.contains(" echo ") && modes.contains(" icanon ") && modes.contains(" isig "), "stty -a: \(modes)")
            let screen = try await console.session.capturePane()
            // The alternate screen is gone: none of the console's panes remain visible.
            #expect(!screen.contains("Providers"), "screen after exit:\n\(screen)")
        }
    }

    @Test("SIGTERM restores the terminal too")
    func terminationSignalRestoresTerminal() async throws {
        try await RunningConsole.run(thenRecordTerminal: true) { console in
            try await console.waitForProvider("add-two-numbers", state: "on")
            let shell = try #require(try await console.session.panePID())
            let children = try await Spawn.run("pgrep", ["-P", "\(shell)"], timeout: .seconds(5))
            let pid = try #require(children.output.split(separator: "\n").first.flatMap { pid_t($0) })
            #expect(kill(pid, SIGTERM) == 0)
            let (status, modes) = try await console.waitForRecordedTerminal()
            #expect(status == "\(128 + SIGTERM)")
            #expect(modes.contains(" echo ") && modes.contains(" icanon ") && modes.contains(" isig "), "stty -a: \(modes)")
        }
    }

    @Test("connect URL --user logs in to an existing server (password from the environment)")
    func connectToExistingServer() async throws {
        var configuration = BrokerConfiguration()
        configuration.port = 0
        let broker = Broker(configuration: configuration)
        let port = try #require(try await broker.start().port)
        do {
            try await RunningConsole.run(
                // A remote server gets no mocks unasked: --provide opts in (issue 11, bug 8).
                arguments: ["connect", "ws://127.0.0.1:\(port)/deepstream", "--user", "alice", "--provide", "add-two-numbers"],
                environment: ["DSCONSOLE_PASSWORD": "secret"]
            ) { console in
                try await console.session.waitUntil(timeout: .seconds(10)) { $0.contains("OPEN ws://127.0.0.1:\(port)/deepstream alice") }
                try await console.waitForProvider("add-two-numbers", state: "on")
                try await console.send("add-two-numbers", body: #"{"numA": 4, "numB": 7}"#)
                try await console.session.waitUntil(timeout: .seconds(10)) { $0.contains("add-two-numbers: 11") }
            }
        } catch {
            await broker.shutdown(gracePeriod: .zero)
            throw error
        }
        await broker.shutdown(gracePeriod: .zero)
    }

    @Test("A request over the server's maxMessageSize: the composer says message too big (1009), not client offline")
    func composerMessageTooBig() async throws {
        var configuration = BrokerConfiguration()
        configuration.port = 0
        configuration.maxMessageSize = 512
        let broker = Broker(configuration: configuration)
        let port = try #require(try await broker.start().port)
        do {
            try await RunningConsole.run(
                arguments: ["connect", "ws://127.0.0.1:\(port)/deepstream", "--provide", "add-two-numbers"]
            ) { console in
                try await console.session.waitUntil(timeout: .seconds(10)) { $0.contains("OPEN ws://127.0.0.1:\(port)/deepstream") }
                try await console.waitForProvider("add-two-numbers", state: "on")
                let padding = String(repeating: "x", count: 800)
                try await console.send("add-two-numbers", body: #"{"numA": 4, "numB": 7, "padding": "\#(padding)"}"#)
                let screen = try await console.session.waitUntil(timeout: .seconds(10)) {
                    $0.contains("add-two-numbers: message too big: the request is ")
                }
                #expect(!screen.contains("add-two-numbers: client offline"))
                // The result line is cut at the pane edge; Ctrl-O shows it whole.
                try await console.session.sendKeys("C-o")
                try await console.session.waitUntil { $0.contains("1009") }
            }
        } catch {
            await broker.shutdown(gracePeriod: .zero)
            throw error
        }
        await broker.shutdown(gracePeriod: .zero)
    }

    @Test("Without a terminal it prints one line and exits non-zero")
    func notATerminal() async throws {
        let result = try await Spawn.run(
            BuiltProducts.dsconsole.path, ["--port", "0"],
            environment: ["PATH": "/usr/bin:/bin", "TERM": "xterm-256color", "HOME": NSTemporaryDirectory()],
            timeout: .seconds(10))
        #expect(result.exitStatus == 1)
        let lines = result.output.split(separator: "\n")
        #expect(lines.count == 1, "one line: \(result.output)")
        #expect(result.output.contains("standard input is not a terminal"))
    }

    @Test("TERM=dumb or an unknown TERM gives one line and a non-zero exit", arguments: ["dumb", "no-such-terminal-xyz"])
    func unusableTerminalType(term: String) async throws {
        try await RunningConsole.run(terminalType: term) { console in
            let status = try await console.waitForExit()
            #expect(status == 1)
            let message = try String(contentsOfFile: console.stderrPath, encoding: .utf8)
            #expect(message.hasPrefix("dsconsole: TERM=\(term)"), "\(message)")
            #expect(message.split(separator: "\n").count == 1)
        }
    }

    @Test(
        "A bad --theme or --providers gives one line and a non-zero exit",
        arguments: [
            (["--theme", "no-such-theme"], "dsconsole: --theme no-such-theme: no such built-in theme"),
            (["--providers", "/nonexistent/providers.json"], "dsconsole: --providers /nonexistent/providers.json: cannot read"),
        ])
    func badStartFiles(arguments: [String], message expected: String) async throws {
        try await RunningConsole.run(arguments: ["--port", "0"] + arguments) { console in
            #expect(try await console.waitForExit() == 1)
            let message = try String(contentsOfFile: console.stderrPath, encoding: .utf8)
            #expect(message.hasPrefix(expected), "\(message)")
            #expect(message.split(separator: "\n").count == 1)
        }
    }

    @Test("A busy port gives a clear one-line message and a non-zero exit")
    func busyPort() async throws {
        let (listener, port) = try listeningSocket()
        defer { close(listener) }
        try await RunningConsole.run(port: port) { console in
            let status = try await console.waitForExit()
            #expect(status == 1)
            // Standard error goes to a file (the terminal stays a TTY, so only the port can be the problem).
            let message = try String(contentsOfFile: console.stderrPath, encoding: .utf8)
            #expect(message.hasPrefix("dsconsole: cannot listen on 127.0.0.1:\(port): address already in use"), "\(message)")
            #expect(message.contains("--port"))
            #expect(message.split(separator: "\n").count == 1)
        }
    }
}

/// One console under test: its tmux session, port and private home directory.
struct RunningConsole {
    let session: TmuxSession
    let port: Int
    let home: String

    /// Where the console's standard error goes.
    var stderrPath: String { home + "/stderr.txt" }

    /// What the console wrote to standard error so far (empty when nothing).
    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// Starts the console, runs `body` with it and always tears it down, however `body` ends: the tmux
    /// server and the console's process group are killed and the private home directory removed.
    /// With `thenRecordTerminal` the shell records its exit status and `stty -a` afterwards (see
    /// ``waitForRecordedTerminal()``). `files` (name → text) are written into the home directory
    /// first; the console runs there, so `arguments` can name them relatively (`--rules rules.json`).
    static func run(
        width: Int = 120, height: Int = 40, port: Int? = nil, arguments: [String]? = nil,
        files: [String: String] = [:], environment: [String: String] = [:], terminalType: String? = nil,
        thenRecordTerminal: Bool = false, _ body: (RunningConsole) async throws -> Void
    ) async throws {
        // Port 0: the broker picks a free port itself (no bind-close-rebind race with parallel tests).
        let port = port ?? 0
        let home = NSTemporaryDirectory() + "dsconsole-e2e-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: home) }
        for (name, text) in files { try text.write(toFile: home + "/" + name, atomically: true, encoding: .utf8) }
        let words = (arguments ?? ["--port", "\(port)"]).map { "'\($0)'" }.joined(separator: " ")
        let override = terminalType.map { "TERM='\($0)' " } ?? ""
        // Run inside HOME so files the console writes to its working directory (exports) land there.
        var command = "cd '\(home)' && \(override)'\(BuiltProducts.dsconsole.path)' \(words) 2>'\(home)/stderr.txt'"
        // The shell records the exit status: tmux sometimes marks a pane whose program exits at once
        // as dead without a status (#{pane_dead_status} stays empty).
        command += "; echo $? > '\(home)/status.txt'"
        if thenRecordTerminal {
            command += "; stty -a > '\(home)/stty.txt'"
        }
        try await TmuxSession.with(
            command: command, width: width, height: height,
            environment: environment.merging(["HOME": home, "XDG_STATE_HOME": home + "/state"]) { _, new in new }
        ) { session in
            try await body(RunningConsole(session: session, port: port, home: home))
        }
    }

    /// Waits until the Providers pane lists `name` with registration `state` (`on`, `off`).
    func waitForProvider(_ name: String, state: String) async throws {
        try await session.waitUntil(timeout: .seconds(10)) { screen in
            // Own providers are rows `│on    add-two-numb… template …` (long names are cut to 12 + …).
            screen.split(separator: "\n").contains { line in
                let words = line.split(whereSeparator: { $0 == " " || $0 == "│" })
                return words.first == Substring(state) && words.dropFirst().first?.hasPrefix(name.prefix(12)) == true
            }
        }
    }

    /// Types `name` and `body` into the composer and sends with Ctrl-S.
    func send(_ name: String, body: String) async throws {
        try await session.sendKeys("c")
        try await session.waitUntil { $0.contains("(name; Tab completes)") || $0.contains("RPC") }
        try await session.type(name)
        try await session.sendKeys("Enter")
        try await session.type(body)
        try await session.waitUntil { $0.contains("✓ valid JSON") }
        try await session.sendKeys("C-s")
    }

    /// The Calls pane's call rows (lines with a time stamp like `14:03:07.125`).
    func callRows(_ screen: String) -> [Substring] {
        screen.split(separator: "\n").filter { line in
            line.range(of: #"\d\d:\d\d:\d\d\.\d\d\d"#, options: .regularExpression) != nil
        }
    }

    /// Quits a console whose log has calls (`q`, then `y` to its "… in the log" question) and returns
    /// its exit status.
    func quitConfirmingCalls() async throws -> Int32? {
        try await session.sendKeys("q")
        try await session.waitUntil { $0.contains("in the log") }
        try await session.sendKeys("y")
        return try await waitForExit()
    }

    /// The console's exit status (as the shell recorded it), waiting up to 10 s.
    func waitForExit() async throws -> Int32? {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if let text = try? String(contentsOfFile: home + "/status.txt", encoding: .utf8),
                let status = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
            {
                return status
            }
            try await Task.sleep(for: .milliseconds(25))
        }
        return nil
    }

    /// The console's exit status and the terminal modes after it, as the shell recorded them.
    func waitForRecordedTerminal() async throws -> (status: String, modes: String) {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if let modes = try? String(contentsOfFile: home + "/stty.txt", encoding: .utf8), !modes.isEmpty,
                let status = try? String(contentsOfFile: home + "/status.txt", encoding: .utf8)
            {
                return (status.trimmingCharacters(in: .whitespacesAndNewlines), modes.replacingOccurrences(of: "\n", with: " "))
            }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw TmuxError.conditionNotMet(timeout: .seconds(10), lastCapture: try await session.capturePane())
    }
}

/// A socket listening on 127.0.0.1 on a free port, and the port.
private func listeningSocket() throws -> (Int32, Int) {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { throw POSIXError(.EMFILE) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
    }
    guard bound == 0, listen(descriptor, 1) == 0 else {
        close(descriptor)
        throw POSIXError(.EADDRINUSE)
    }
    let named = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
    }
    guard named == 0 else {
        close(descriptor)
        throw POSIXError(.EINVAL)
    }
    return (descriptor, Int(UInt16(bigEndian: address.sin_port)))
}
