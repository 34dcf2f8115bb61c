import DeepstreamBroker
import DeepstreamProtocol
import Foundation
import Synchronization
import Testing

/// Every end-to-end test of the binary, one at a time: they share two cores with the build, and the
/// bench and timeout tests measure time.
@Suite("dsconsole binary", .serialized)
struct BinaryTests {}

/// An embedded broker on 127.0.0.1 with an ephemeral port, for one test.
final class TestBroker: Sendable {
    let broker: Broker
    let port: Int
    private let stopped = Mutex(false)

    init(broker: Broker, port: Int) {
        self.broker = broker
        self.port = port
    }

    /// The URL the commands get with `--url`.
    var url: String { "ws://127.0.0.1:\(port)/deepstream" }

    /// Starts a broker; `configure` adjusts the configuration (timeouts, auth).
    static func start(_ configure: (inout BrokerConfiguration) -> Void = { _ in }) async throws -> TestBroker {
        var configuration = BrokerConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.shutdownGracePeriod = .milliseconds(100)
        configure(&configuration)
        let broker = Broker(configuration: configuration)
        let address = try await broker.start()
        return TestBroker(broker: broker, port: address.port ?? 0)
    }

    /// Stops it (once; later calls do nothing, as the broker must be shut down exactly once).
    func stop() async {
        let first = stopped.withLock { done in
            defer { done = true }
            return !done
        }
        if first { await broker.shutdown(gracePeriod: .milliseconds(50)) }
    }
}

/// Writes `text` to a fresh temp file and returns its path.
func temporaryFile(_ text: String, suffix: String = ".json") throws -> String {
    let path = NSTemporaryDirectory() + "dsconsole-test-\(UUID().uuidString)\(suffix)"
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

/// Parses every non-empty line as JSON.
func jsonLines(_ text: String) throws -> [JSONValue] {
    try text.split(separator: "\n").map { try JSONValue(parsing: String($0)) }
}

/// A TCP port on 127.0.0.1 that is bound but not listening, so connecting to it is refused. The
/// socket stays bound while the object lives: no other test (or test process) can start a server on
/// that port meanwhile, and this test cannot reach someone else's server by accident.
final class RefusingPort {
    let port: Int
    private let descriptor: Int32

    init() {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.descriptor = descriptor
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(descriptor) }
}

/// A TCP socket that listens on 127.0.0.1 but never accepts: connections complete in the kernel's
/// backlog and then hear nothing.
final class SilentListener {
    let port: Int
    private let descriptor: Int32

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.descriptor = descriptor
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard bound == 0, listen(descriptor, 16) == 0 else { throw POSIXError(.EADDRINUSE) }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(descriptor) }
}
