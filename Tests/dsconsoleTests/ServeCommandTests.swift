import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Runs the real `dsconsole` binary. Spawned with `posix_spawn` and an empty signal mask because the
/// test runner's threads block signals and `Foundation.Process` would pass that mask on.
private struct SpawnedProcess {
    let pid: pid_t
    let stdoutPath: String
    let stderrPath: String

    static func dsconsole(_ arguments: [String]) throws -> SpawnedProcess {
        let binary = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            .deletingLastPathComponent().appendingPathComponent("dsconsole").path
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("serve-\(UUID().uuidString)").path
        let (out, err) = (base + ".out", base + ".err")
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGINT)
        sigaddset(&defaults, SIGTERM)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv = ([binary] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let env = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in env { free(pointer) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, binary, &actions, &attributes, argv, env)
        guard status == 0 else { throw POSIXError(POSIXErrorCode(rawValue: status) ?? .EINVAL) }
        return SpawnedProcess(pid: pid, stdoutPath: out, stderrPath: err)
    }

    var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// The exit code, or nil if the process is still running after `timeout`.
    func exitCode(within timeout: Duration) async throws -> Int32? {
        await waitForExitCode(of: pid, within: timeout)
    }

    func waitForOutput(containing text: String, within timeout: Duration = .seconds(10)) async throws -> String? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let output = stdout
            if output.contains(text) { return output }
            try await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }
}

/// A blocking HTTP GET over a plain socket; returns the status line.
private func httpStatusLine(port: Int, path: String) -> String? {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port)).bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { return nil }
    let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8)
    guard send(fd, request, request.count, 0) == request.count else { return nil }
    var response: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = recv(fd, &chunk, chunk.count, 0)
        if count <= 0 { break }
        response += chunk[0..<count]
    }
    return String(decoding: response, as: UTF8.self).components(separatedBy: "\r\n").first
}

@Suite("dsconsole serve / hash, the real binary")
struct ServeCommandTests {
    @Test("serve prints its URL, answers the health check and exits 0 on SIGTERM")
    func serveAndStop() async throws {
        let process = try SpawnedProcess.dsconsole(["serve", "--port", "0", "--log-level", "warning"])
        let output = try #require(try await process.waitForOutput(containing: "listening on ws://127.0.0.1:"))
        let port = try #require(output.split(separator: ":").dropFirst(2).first.flatMap { Int($0.prefix { $0.isNumber }) })
        #expect(httpStatusLine(port: port, path: "/health-check") == "HTTP/1.1 200 OK")
        #expect(httpStatusLine(port: port, path: "/nothing") == "HTTP/1.1 404 Not Found")

        let second = try SpawnedProcess.dsconsole(["serve", "--port", String(port)])
        #expect(try await second.exitCode(within: .seconds(10)) == 1)
        #expect(second.stderr.hasSuffix("dsconsole serve: cannot listen on 127.0.0.1:\(port): address already in use\n"))

        kill(process.pid, SIGTERM)
        #expect(try await process.exitCode(within: .seconds(10)) == 0)
        #expect(process.stdout.hasSuffix("dsconsole broker stopped\n"))
    }

    @Test("serve with a bad config file exits 1 with a one-line message")
    func badConfig() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString).json").path
        try #"{"rpc": {"ackTimout": 10}}"#.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let process = try SpawnedProcess.dsconsole(["serve", "--config", path])
        #expect(try await process.exitCode(within: .seconds(10)) == 1)
        #expect(process.stderr == "dsconsole serve: \(path): unknown setting \"rpc.ackTimout\"\n")
    }

    @Test("hash prints a pbkdf2-sha256 hash")
    func hash() async throws {
        let process = try SpawnedProcess.dsconsole(["hash", "--iterations", "1000", "s3cret"])
        #expect(try await process.exitCode(within: .seconds(10)) == 0)
        let parts = process.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "$")
        #expect(parts.count == 4)
        #expect(parts.first == "pbkdf2-sha256")
        #expect(parts.dropFirst().first == "1000")
    }
}

@Suite("dsconsole serve --config with deepstream's own config.yml")
struct ServeDeepstreamConfigTests {
    @Test("serve reads config.yml (port, urlPath, fileLoad), warns once about ignored settings, exits 1 on a bad rule")
    func deepstreamConfig() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ds-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("config.yml").path
        try """
            serverName: UUID
            record:
              cacheRetrievalTimeout: 30000
            httpServer:
              options:
                port: 0
                healthCheckPath: /alive
            connectionEndpoints:
              - type: ws-binary
                options:
                  urlPath: /ds
                  maxAuthAttempts: 3
              - type: http
            permission:
              type: config
              options:
                permissions: fileLoad(permissions.yml)
            """.write(toFile: config, atomically: true, encoding: .utf8)
        try "rpc:\n  '*':\n    provide: true\n    request: true\n".write(
            toFile: dir.appendingPathComponent("permissions.yml").path, atomically: true, encoding: .utf8)
        let process = try SpawnedProcess.dsconsole(["serve", "--config", config, "--log-level", "warning"])
        let output = try #require(try await process.waitForOutput(containing: "listening on ws://127.0.0.1:"))
        #expect(output.contains("/ds (JSON: none, health: http://127.0.0.1:"))
        let port = try #require(output.split(separator: ":").dropFirst(2).first.flatMap { Int($0.prefix { $0.isNumber }) })
        #expect(httpStatusLine(port: port, path: "/alive") == "HTTP/1.1 200 OK")
        #expect(httpStatusLine(port: port, path: "/ds") == "HTTP/1.1 426 Upgrade Required")
        #expect(process.stderr == "dsconsole serve: \(config): ignored (the embedded broker has no such feature): serverName, record.*, connectionEndpoints[1] (http)\n")
        kill(process.pid, SIGTERM)
        #expect(try await process.exitCode(within: .seconds(10)) == 0)

        try "rpc:\n  '*':\n    request: 'data.x.substr(1)'\n".write(
            toFile: dir.appendingPathComponent("permissions.yml").path, atomically: true, encoding: .utf8)
        let bad = try SpawnedProcess.dsconsole(["serve", "--config", config])
        #expect(try await bad.exitCode(within: .seconds(10)) == 1)
        #expect(bad.stderr == "dsconsole serve: \(config): permission.options.permissions: rule rpc.*.request: function substr is not supported\n")
    }

    @Test("--busy-poll: serve with it starts, answers health checks and stops; negative and absurd values get one line and exit 64")
    func busyPoll() async throws {
        try await expectServesAndStops(with: ["--busy-poll", "100"])
        try await expectUsageErrors([
            (["serve", "--busy-poll", "-5"], "Error: --busy-poll must be 0 (off) or more microseconds, not -5"),
            (["serve", "--busy-poll", "20000"],
             "Error: --busy-poll 20000 is too long: at most 10000 µs (10 ms), or the loop becomes a spinning thread"),
            (["watch", "--proxy", "ws://127.0.0.1:1", "--busy-poll", "-1"],
             "Error: --busy-poll must be 0 (off) or more microseconds, not -1"),
            (["proxy", "ws://127.0.0.1:1", "--busy-poll", "10001"],
             "Error: --busy-poll 10001 is too long: at most 10000 µs (10 ms), or the loop becomes a spinning thread"),
        ])
    }
}

extension ServeCommandTests {
    @Test("--coalesce-reads: serve with it starts, answers health checks and stops; bad values, and a nap with busy-poll, get one line and exit 64")
    func coalesceReads() async throws {
        try await expectServesAndStops(with: ["--coalesce-reads", "500"])
        let exclusive = "Error: --coalesce-reads and --busy-poll pull opposite ways (one sleeps after a read, the other spins): choose one"
        try await expectUsageErrors([
            (["serve", "--coalesce-reads", "-5"], "Error: --coalesce-reads must be 0 (off) or more microseconds, not -5"),
            (["serve", "--coalesce-reads", "20000"],
             "Error: --coalesce-reads 20000 is too long: at most 10000 µs (10 ms), or replies would wait noticeably"),
            (["serve", "--coalesce-reads", "500", "--busy-poll", "50"], exclusive),
            // The console's own default nap gives way to --busy-poll; only an explicit pair is refused.
            (["--coalesce-reads", "200", "--busy-poll", "50"], exclusive),
            (["--coalesce-reads", "-1"], "Error: --coalesce-reads must be 0 (off) or more microseconds, not -1"),
        ])
    }
}

/// Starts `dsconsole serve` with `options`, checks that it answers a health check, and stops it with
/// SIGTERM (exit 0).
private func expectServesAndStops(with options: [String]) async throws {
    let process = try SpawnedProcess.dsconsole(["serve", "--port", "0", "--log-level", "warning"] + options)
    let output = try #require(try await process.waitForOutput(containing: "listening on ws://127.0.0.1:"))
    let port = try #require(output.split(separator: ":").dropFirst(2).first.flatMap { Int($0.prefix { $0.isNumber }) })
    #expect(httpStatusLine(port: port, path: "/health-check") == "HTTP/1.1 200 OK")
    kill(process.pid, SIGTERM)
    #expect(try await process.exitCode(within: .seconds(10)) == 0)
}

/// Runs each command line and expects exit 64 with `line` as the first line on standard error.
private func expectUsageErrors(_ cases: [([String], String)]) async throws {
    for (arguments, line) in cases {
        let bad = try SpawnedProcess.dsconsole(arguments)
        #expect(try await bad.exitCode(within: .seconds(10)) == 64, "\(arguments)")
        #expect(bad.stderr.split(separator: "\n").first.map(String.init) == line, "\(arguments)")
    }
}
