import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The built `dsconsole` binary run as a subprocess, with stdout and stderr going to temp files.
///
/// Spawned with `posix_spawn` and an empty signal mask: Swift Testing runs on threads that block
/// most signals, and a child inherits that mask, so without the reset SIGINT/SIGTERM would never
/// reach it (see docs/commands.md, "Testing").
final class ChildProcess {
    let pid: pid_t
    let arguments: [String]
    private let stdoutPath: String
    private let stderrPath: String
    private var exitStatus: Int32?

    /// The binary next to the test bundle (same build directory).
    static var binary: String {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var directory = executable.deletingLastPathComponent()
        // On Linux the test runner is `<build>/debug/<Package>PackageTests.xctest`.
        if !FileManager.default.fileExists(atPath: directory.appendingPathComponent("dsconsole").path) {
            directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        }
        return directory.appendingPathComponent("dsconsole").path
    }

    /// Starts `dsconsole ARGUMENTS…`; `stdin` is fed from a temp file (or /dev/null).
    init(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) throws {
        self.arguments = arguments
        let base = NSTemporaryDirectory() + "dsconsole-test-\(UUID().uuidString)"
        stdoutPath = base + ".out"
        stderrPath = base + ".err"
        var stdinPath = "/dev/null"
        if let stdin {
            stdinPath = base + ".in"
            try stdin.write(toFile: stdinPath, atomically: true, encoding: .utf8)
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdinPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        var defaultSignals = sigset_t()
        sigemptyset(&defaultSignals)
        sigaddset(&defaultSignals, SIGINT)
        sigaddset(&defaultSignals, SIGTERM)
        sigaddset(&defaultSignals, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaultSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "DSCONSOLE_PASSWORD")
        for (key, value) in environment { env[key] = value }
        let argv = ([Self.binary] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var child: pid_t = 0
        let result = posix_spawn(&child, Self.binary, &actions, &attributes, argv, envp)
        guard result == 0 else { throw SpawnError(code: result, path: Self.binary) }
        pid = child
    }

    deinit {
        if exitStatus == nil {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
        for path in [stdoutPath, stderrPath] { unlink(path) }
    }

    /// Why the spawn failed.
    struct SpawnError: Error, CustomStringConvertible {
        var code: Int32
        var path: String
        var description: String { "posix_spawn \(path) failed: \(String(cString: strerror(code)))" }
    }

    /// Sends a signal.
    func send(_ signal: Int32) { kill(pid, signal) }

    /// Waits up to `timeout` for the process to end; its exit code, `128 + N` when killed by signal N,
    /// or nil on timeout (the process is then killed).
    func wait(timeout: Duration = .seconds(20)) async -> Int32? {
        if let exitStatus { return exitStatus }
        if let code = await waitForExitCode(of: pid, within: timeout) {
            exitStatus = code
            return code
        }
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        exitStatus = -1
        return nil
    }

    /// Everything written to stdout so far.
    var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }

    /// Everything written to stderr so far.
    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// Waits until stdout or stderr contains `text`; false on timeout or if the process ended first.
    func waitFor(_ text: String, inStderr: Bool = true, timeout: Duration = .seconds(15)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if (inStderr ? stderr : stdout).contains(text) { return true }
            var status: Int32 = 0
            if exitStatus == nil, waitpid(pid, &status, WNOHANG) == pid {
                exitStatus = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
                return (inStderr ? stderr : stdout).contains(text)
            }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return false
    }

    /// Runs `dsconsole ARGUMENTS…` to completion (bounded by `timeout`).
    static func run(
        _ arguments: [String], stdin: String? = nil, environment: [String: String] = [:], timeout: Duration = .seconds(20)
    ) async throws -> (status: Int32?, stdout: String, stderr: String) {
        let child = try ChildProcess(arguments, stdin: stdin, environment: environment)
        let status = await child.wait(timeout: timeout)
        return (status, child.stdout, child.stderr)
    }
}
