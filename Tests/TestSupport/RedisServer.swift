import DeepstreamCluster
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A real `redis-server` child process on 127.0.0.1 and a free port, without persistence. Stopped by
/// ``stop()`` or, at the latest, when the value is deinitialised (so a failing test does not leak it).
package final class RedisServer {
    package let port: Int
    package let password: String?
    private var process: Process?

    /// The `redis-server` binary, or nil when it is not installed (`.ci/run` installs it).
    package static var binary: String? {
        for path in ["/usr/bin/redis-server", "/usr/local/bin/redis-server", "/opt/homebrew/bin/redis-server"]
        where FileManager.default.isExecutableFile(atPath: path) { return path }
        return nil
    }

    /// Starts a server (on `port`, or a free one) and waits until it answers PING.
    package init(port: Int? = nil, password: String? = nil) async throws {
        guard let binary = Self.binary else { throw Failure("redis-server is not installed (apt-get install redis-server)") }
        self.port = try port ?? Self.freePort()
        self.password = password
        try await start(binary)
    }

    deinit { stop() }

    /// Stops the server at once (SIGKILL: Redis going away, as a crash would).
    package func stop() {
        guard let process else { return }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        self.process = nil
    }

    /// Starts again on the same port.
    package func restart() async throws {
        stop()
        try await start(Self.binary!)
    }

    /// Sends raw RESP bytes (pipelined commands) and waits for `replies` replies; returns them.
    package func send(_ bytes: [UInt8], replies: Int) async throws -> [RESPValue] {
        let fd = try connectSocket()
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard written > 0 else { throw Failure("write to redis failed") }
            offset += written
        }
        var decoder = RESPDecoder()
        var values: [RESPValue] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while values.count < replies {
            let count = read(fd, &buffer, buffer.count)
            guard count > 0 else { throw Failure("redis closed the connection after \(values.count) replies") }
            decoder.feed(buffer[0..<count])
            while let value = try decoder.next() { values.append(value) }
        }
        return values
    }

    /// PUBLISHes every payload in order (pipelined on one connection; AUTH first if needed).
    package func publish(_ messages: [(channel: String, payload: [UInt8])]) async throws {
        var bytes: [UInt8] = []
        if let password { bytes += RESPCommand.encode(["AUTH", password]) }
        for message in messages { bytes += RESPCommand.encode([Array("PUBLISH".utf8), Array(message.channel.utf8), message.payload]) }
        let replies = try await send(bytes, replies: messages.count + (password == nil ? 0 : 1))
        if let error = replies.first(where: { if case .error = $0 { true } else { false } }) {
            throw Failure("PUBLISH failed: \(error)")
        }
    }

    /// Waits until `channel` has at least one subscriber (PUBSUB NUMSUB), up to `timeout`.
    package func waitForSubscriber(on channel: String = "9", timeout: Duration = .seconds(15)) async throws {
        let deadline = ContinuousClock.now + timeout
        let auth = password.map { RESPCommand.encode(["AUTH", $0]) } ?? []
        while ContinuousClock.now < deadline {
            let replies = try await send(auth + RESPCommand.encode(["PUBSUB", "NUMSUB", channel]), replies: auth.isEmpty ? 1 : 2)
            if case .array(let items?)? = replies.last, items.count == 2, case .integer(let count) = items[1], count > 0 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw Failure("nobody subscribed to channel \(channel) within \(timeout)")
    }

    private func start(_ binary: String) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        var arguments = ["--port", "\(port)", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"]
        if let password { arguments += ["--requirepass", password] }
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        let auth = password.map { RESPCommand.encode(["AUTH", $0]) } ?? []
        for _ in 0..<200 {
            if let replies = try? await send(auth + RESPCommand.encode(["PING"]), replies: password == nil ? 1 : 2),
               replies.last == .simpleString("PONG") {
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        stop()
        throw Failure("redis-server on port \(port) did not answer PING within 10 s")
    }

    private func connectSocket() throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure("socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            close(fd)
            throw Failure("cannot connect to 127.0.0.1:\(port)")
        }
        return fd
    }

    /// A port nothing listens on right now (bound to 0, read back, released).
    package static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw Failure("cannot find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    package struct Failure: Error, CustomStringConvertible {
        package var description: String
        init(_ description: String) { self.description = description }
    }
}
