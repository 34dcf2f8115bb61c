import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The console on a pseudo-terminal of the test's own, which the test then closes: the terminal going
/// away must end the console promptly with status 1 (no spinning on a dead input), not hang.
@Suite("Console loses its terminal")
struct ConsoleTerminalLossTests {
    @Test("Closing the terminal ends the console with status 1")
    func closingTheTerminalEndsTheConsole() async throws {
        // posix_openpt/unlockpt/ptsname are not visible through the Glibc module; on Linux they are
        // /dev/ptmx plus two ioctls (values from <asm-generic/ioctls.h>, the same on x86-64 and arm64).
        // Close-on-exec: a child holding the master would keep the terminal alive.
        let master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC)
        try #require(master >= 0)
        var masterOpen = true
        defer { if masterOpen { close(master) } }
        let unlockRequest: UInt = 0x4004_5431  // TIOCSPTLCK
        let numberRequest: UInt = 0x8004_5430  // TIOCGPTN
        var unlock: Int32 = 0
        var number: UInt32 = 0
        try #require(ioctl(master, unlockRequest, &unlock) == 0 && ioctl(master, numberRequest, &number) == 0)
        let slavePath = "/dev/pts/\(number)"
        var size = winsize(ws_row: 30, ws_col: 100, ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(master, UInt(TIOCSWINSZ), &size)

        let home = NSTemporaryDirectory() + "dsconsole-pty-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: home) }
        let pid = try spawnOnTerminal(
            BuiltProducts.dsconsole.path, ["--port", "0"], terminal: slavePath,
            environment: ["TERM": "xterm-256color", "HOME": home, "LANG": "C.UTF-8", "PATH": "/usr/bin:/bin"])
        defer { kill(pid, SIGKILL) }

        // Wait for the first frame (the Providers pane title), reading what the console draws.
        var screen = [UInt8]()
        let started = ContinuousClock.now
        while ContinuousClock.now - started < .seconds(10) {
            var request = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            if poll(&request, 1, 50) > 0 {
                var chunk = [UInt8](repeating: 0, count: 4096)
                let count = read(master, &chunk, chunk.count)
                if count > 0 { screen += chunk[..<count] }
            }
            if String(decoding: screen, as: UTF8.self).contains("Providers") { break }
        }
        #expect(String(decoding: screen, as: UTF8.self).contains("Providers"), "the console drew its first frame")

        close(master)
        masterOpen = false
        let status = try await exitStatus(of: pid, within: .seconds(10))
        #expect(status == 1, "exit status \(String(describing: status))")
    }

    /// posix_spawn with `terminal` as standard input, output and error (opened with O_NOCTTY, so it is
    /// not the child's controlling terminal: closing it gives end of file, not SIGHUP), an empty signal
    /// mask and a process group of its own.
    private func spawnOnTerminal(
        _ executable: String, _ arguments: [String], terminal: String, environment: [String: String]
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, terminal, O_RDWR | O_NOCTTY, 0)
        posix_spawn_file_actions_adddup2(&actions, 0, 1)
        posix_spawn_file_actions_adddup2(&actions, 0, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGWINCH] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let code = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard code == 0 else { throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EINVAL) }
        return pid
    }

    /// The exit status (128 + signal when killed), or nil if still running after `timeout`.
    private func exitStatus(of pid: pid_t, within timeout: Duration) async throws -> Int32? {
        await waitForExitCode(of: pid, within: timeout)
    }
}
