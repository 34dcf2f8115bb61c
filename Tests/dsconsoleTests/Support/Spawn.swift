import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How a process spawned by `Spawn.run` ended, and what it printed.
struct SpawnResult: Sendable, CustomStringConvertible {
    /// The exit status when the process exited normally.
    var exitStatus: Int32?
    /// The signal that ended the process, if one did.
    var terminatingSignal: Int32?
    /// Standard output and standard error, interleaved as written.
    var output: String
    /// Whether the process outlived its timeout and was killed.
    var timedOut: Bool

    /// Whether the process exited normally with status 0.
    var succeeded: Bool { exitStatus == 0 && !timedOut }

    /// A summary for test failure messages.
    var description: String {
        let ending = timedOut ? "timed out" : exitStatus.map { "exit \($0)" } ?? "signal \(terminatingSignal ?? -1)"
        return "\(ending): \(output)"
    }
}

/// Why a process could not be spawned.
struct SpawnError: Error, CustomStringConvertible {
    /// The program that failed to start.
    var executable: String
    /// The error number posix_spawn returned.
    var code: Int32

    /// A one-line explanation.
    var description: String { "cannot spawn \(executable): \(String(cString: strerror(code)))" }
}

/// Runs programs for end-to-end tests without the traps of `Foundation.Process`.
///
/// Test threads block most signals and a spawned child inherits that mask, so tmux and the
/// program under test would never see SIGWINCH, SIGTERM or SIGHUP (and `kill-server` hangs).
/// Here the child gets an empty signal mask and default actions for every catchable signal,
/// its own process group, stdin from /dev/null, and stdout and stderr in a temporary file
/// (pipes to tmux have hung).
enum Spawn {
    /// Runs `executable` (looked up in PATH when it has no slash) with `arguments`, waits up to
    /// `timeout` for it to end, and returns how it ended. On timeout its process group is killed.
    /// `environment` replaces the inherited environment when given.
    static func run(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String]? = nil,
        timeout: Duration = .seconds(10)
    ) async throws -> SpawnResult {
        let outputPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("spawn-\(UUID().uuidString).out").path
        defer { unlink(outputPath) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        var defaultSignals = sigset_t()
        sigemptyset(&defaultSignals)
        for signal in 1..<32 where signal != SIGKILL && signal != SIGSTOP {
            sigaddset(&defaultSignals, Int32(signal))
        }
        posix_spawnattr_setsigdefault(&attributes, &defaultSignals)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes,
            Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP)
        )

        let environmentStrings = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        let argv = makeCStrings([executable] + arguments)
        let envp = makeCStrings(environmentStrings)
        defer {
            freeCStrings(argv)
            freeCStrings(envp)
        }

        var pid: pid_t = 0
        let code = posix_spawnp(&pid, executable, &actions, &attributes, argv, envp)
        guard code == 0 else { throw SpawnError(executable: executable, code: code) }

        let (status, timedOut) = try await waitForExit(of: pid, timeout: timeout)
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        let signalNumber = status & 0x7F
        return SpawnResult(
            exitStatus: signalNumber == 0 ? (status >> 8) & 0xFF : nil,
            terminatingSignal: signalNumber == 0 ? nil : signalNumber,
            output: output,
            timedOut: timedOut
        )
    }

    /// Polls for the child's exit (sleeping briefly between polls, so no thread is blocked) and
    /// kills its process group when `timeout` passes. Returns the raw wait status.
    private static func waitForExit(of pid: pid_t, timeout: Duration) async throws -> (status: Int32, timedOut: Bool) {
        let deadline = ContinuousClock.now + timeout
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid { return (status, false) }
            if result < 0 && errno != EINTR { return (status, false) }
            if ContinuousClock.now >= deadline {
                kill(-pid, SIGKILL)
                kill(pid, SIGKILL)
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                return (status, true)
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    private static func makeCStrings(_ strings: [String]) -> [UnsafeMutablePointer<CChar>?] {
        strings.map { strdup($0) } + [nil]
    }

    private static func freeCStrings(_ pointers: [UnsafeMutablePointer<CChar>?]) {
        for pointer in pointers {
            free(pointer)
        }
    }
}

/// The exit code of child `pid` (`128 + N` when signal N killed it), or nil while it is still running
/// after `timeout`. Polls with short sleeps, so no thread is blocked. Shared by every test that starts
/// the binary as a long-running child.
func waitForExitCode(of pid: pid_t, within timeout: Duration) async -> Int32? {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid {
            return status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return nil
}
