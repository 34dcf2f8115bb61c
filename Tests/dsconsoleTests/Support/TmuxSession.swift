import Foundation

/// Why a tmux step of an end-to-end test failed.
enum TmuxError: Error, CustomStringConvertible {
    /// A tmux command did not succeed.
    case commandFailed(arguments: [String], result: SpawnResult)
    /// `waitUntil` gave up; `lastCapture` is what the pane showed last.
    case conditionNotMet(timeout: Duration, lastCapture: String)

    /// The failure with the tmux output or the last screen, for test logs.
    var description: String {
        switch self {
        case .commandFailed(let arguments, let result):
            "tmux \(arguments.joined(separator: " ")) failed, \(result)"
        case .conditionNotMet(let timeout, let lastCapture):
            "condition not met within \(timeout); pane showed:\n\(lastCapture)"
        }
    }
}

/// A tmux server of its own (unique `-L` socket, so tests never collide) with one detached
/// session running one command in a pane of a fixed size. Drives a console like a user does:
/// send keys, read the screen.
///
/// The pane stays after the command exits (`remain-on-exit`), so its last screen and exit status
/// can still be read; the status line is off, so the pane has the full size. Tests use
/// ``with(command:width:height:terminalType:environment:_:)``, which tears the server and the pane's
/// processes down however the test ends.
struct TmuxSession: Sendable {
    /// The tmux socket name (`tmux -L`).
    let socketName: String
    /// The session and window target.
    let target = "console"
    private let configurationPath: String

    /// Starts a session (as ``start(command:width:height:terminalType:environment:)``), runs `body`
    /// with it and then always kills the pane's processes and the server — also when `body` throws
    /// or a step fails, so a failing test leaks neither a tmux server nor the program under test.
    static func with<Result>(
        command: String,
        width: Int = 120,
        height: Int = 40,
        terminalType: String = "tmux-256color",
        environment: [String: String] = [:],
        _ body: (TmuxSession) async throws -> Result
    ) async throws -> Result {
        let session = try await start(
            command: command, width: width, height: height, terminalType: terminalType, environment: environment)
        let result: Swift.Result<Result, any Error>
        do { result = .success(try await body(session)) } catch { result = .failure(error) }
        await session.kill()
        return try result.get()
    }

    /// Starts the server and the session running `command` (a shell command line) in a pane of
    /// `width` × `height`, with `TERM=terminalType` and `environment` added to the environment.
    /// Prefer ``with(command:width:height:terminalType:environment:_:)``; whoever calls this must
    /// call ``kill()`` on every path.
    static func start(
        command: String,
        width: Int = 120,
        height: Int = 40,
        terminalType: String = "tmux-256color",
        environment: [String: String] = [:]
    ) async throws -> TmuxSession {
        let socketName = "dsconsole-test-\(UUID().uuidString.prefix(8).lowercased())"
        let configurationPath = FileManager.default.temporaryDirectory.appendingPathComponent("\(socketName).conf").path
        let configuration = """
            set -g remain-on-exit on
            set -g status off
            set -g default-terminal "\(terminalType)"
            set -g history-limit 1000
            """
        try configuration.write(toFile: configurationPath, atomically: true, encoding: .utf8)
        let session = TmuxSession(socketName: socketName, configurationPath: configurationPath)
        var arguments = ["new-session", "-d", "-s", session.target, "-x", "\(width)", "-y", "\(height)"]
        for (name, value) in environment.sorted(by: { $0.key < $1.key }) {
            arguments += ["-e", "\(name)=\(value)"]
        }
        arguments.append(command)
        do {
            try await session.tmux(arguments, environment: environment)
        } catch {
            await session.kill()
            throw error
        }
        return session
    }

    /// Sends keys by tmux name: literal text, or names such as `Enter`, `Escape`, `Up`, `C-s`, `F5`.
    func sendKeys(_ keys: String...) async throws {
        try await tmux(["send-keys", "-t", target] + keys)
    }

    /// Types `text` literally (no key-name lookup).
    func type(_ text: String) async throws {
        try await tmux(["send-keys", "-t", target, "-l", text])
    }

    /// The visible pane as plain text, one line per row (trailing spaces removed by tmux);
    /// with `includingEscapes`, colours and attributes appear as escape sequences.
    func capturePane(includingEscapes: Bool = false) async throws -> String {
        try await tmux(["capture-pane", "-p", "-t", target] + (includingEscapes ? ["-e"] : [])).output
    }

    /// Pastes `text` the way a terminal does: with bracketed paste markers when the program asked
    /// for them (`paste-buffer -p`), newlines sent as carriage returns.
    func paste(_ text: String) async throws {
        try await tmux(["set-buffer", "-b", "test-paste", "--", text])
        try await tmux(["paste-buffer", "-p", "-d", "-b", "test-paste", "-t", target])
    }

    /// Captures the pane every `interval` until `condition` holds for the text, and returns that
    /// capture. Throws `TmuxError.conditionNotMet` with the last capture after `timeout`.
    @discardableResult
    func waitUntil(
        timeout: Duration = .seconds(5),
        interval: Duration = .milliseconds(25),
        _ condition: (String) -> Bool
    ) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        var capture = ""
        while true {
            capture = try await capturePane()
            if condition(capture) { return capture }
            guard ContinuousClock.now < deadline else {
                throw TmuxError.conditionNotMet(timeout: timeout, lastCapture: capture)
            }
            try await Task.sleep(for: interval)
        }
    }

    /// Resizes the window (and so the pane); the program in it gets SIGWINCH.
    func resize(width: Int, height: Int) async throws {
        try await tmux(["resize-window", "-t", target, "-x", "\(width)", "-y", "\(height)"])
    }

    /// The exit status of the pane's command, or nil while it is still running.
    func exitStatus() async throws -> Int32? {
        let fields = try await tmux(["display-message", "-p", "-t", target, "#{pane_dead} #{pane_dead_status}"])
            .output.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        guard fields.first == "1", fields.count > 1 else { return nil }
        return Int32(fields[1])
    }

    /// The process id of the pane's command, for sending it signals.
    func panePID() async throws -> pid_t? {
        let output = try await tmux(["display-message", "-p", "-t", target, "#{pane_pid}"]).output
        return pid_t(output.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Kills the process group of every pane (the shell and the program it runs: a program that
    /// ignores SIGHUP would outlive the server), stops the server and removes its socket and the
    /// configuration file. Never throws: it runs at the end of tests, also after failures.
    func kill() async {
        // kill-server leaves the socket file behind; ask for its path while the server still runs.
        let socketPath = try? await tmux(["display-message", "-p", "#{socket_path}"])
            .output.trimmingCharacters(in: .whitespacesAndNewlines)
        let panes = (try? await tmux(["list-panes", "-a", "-F", "#{pane_pid}"]))?.output
            .split(separator: "\n").compactMap { pid_t($0.trimmingCharacters(in: .whitespaces)) } ?? []
        for pane in panes where pane > 1 {
            // tmux starts each pane's command in a session of its own, so the pane pid is the group.
            Foundation.kill(-pane, SIGKILL)
            Foundation.kill(pane, SIGKILL)
        }
        _ = try? await tmux(["kill-server"])
        if let socketPath, !socketPath.isEmpty {
            unlink(socketPath)
        }
        try? FileManager.default.removeItem(atPath: configurationPath)
    }

    @discardableResult
    private func tmux(_ arguments: [String], environment: [String: String] = [:]) async throws -> SpawnResult {
        let fullArguments = ["-L", socketName, "-f", configurationPath] + arguments
        let result = try await Spawn.run("tmux", fullArguments, environment: Self.environment(environment), timeout: .seconds(10))
        guard result.succeeded else { throw TmuxError.commandFailed(arguments: arguments, result: result) }
        return result
    }

    /// The inherited environment with a UTF-8 locale (tmux replaces wide characters by `_`
    /// without one) and without TMUX (so a test run inside tmux starts its own server).
    private static func environment(_ additions: [String: String]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["TMUX"] = nil
        environment["LANG"] = environment["LANG"].flatMap { $0.uppercased().contains("UTF-8") ? $0 : nil } ?? "C.UTF-8"
        environment["LC_ALL"] = nil
        environment.merge(additions) { _, new in new }
        return environment
    }
}

/// The products of the package build, found next to the running test bundle (`.build/debug`).
enum BuiltProducts {
    /// The directory holding the test bundle and the executables.
    static var directory: URL {
        let executable = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        return executable.resolvingSymlinksInPath().deletingLastPathComponent()
    }

    /// The built executable named `name`.
    static func executable(named name: String) -> URL {
        directory.appendingPathComponent(name)
    }

    /// The built `dsconsole` executable.
    static var dsconsole: URL { executable(named: "dsconsole") }
}
