import DeepstreamProtocol

#if canImport(Glibc)
import Glibc
#endif

/// A WebSocket client on a plain non-blocking socket, for the raw load generator: frames go out
/// pre-encoded (masked with the all-zero key, so the payload bytes stay as encoded) and are read back
/// without NIO, so the generator costs little next to the broker it measures.
final class RawConnection {
    let fd: Int32
    /// Bytes read and not yet consumed as whole frames.
    private var inbound: [UInt8] = []
    private var inboundStart = 0
    /// Bytes queued by the roles, written once per loop turn (one `write` per socket per read batch).
    var outbound: [UInt8] = []
    private var outboundStart = 0
    private(set) var closed = false

    /// Connects to 127.0.0.1:`port` and completes the WebSocket upgrade of `path` (blocking).
    init(port: Int, path: String = "/deepstream") throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure("socket(): errno \(errno)") }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(fd)
            throw Failure("connect to 127.0.0.1:\(port): errno \(errno)")
        }
        let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\n"
            + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        outbound = Array(request.utf8)
        try flushBlocking()
        // Read the 101 response head; anything after it is the first frame bytes.
        let terminator: [UInt8] = [13, 10, 13, 10]
        while true {
            try readBlocking()
            if let end = Self.find(terminator, in: inbound) {
                let head = String(decoding: inbound[0..<end], as: UTF8.self)
                guard head.hasPrefix("HTTP/1.1 101") else { throw Failure("upgrade refused: \(head.prefix(40))") }
                inbound.removeFirst(end + 4)
                break
            }
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    }

    deinit { close(fd) }

    // MARK: Frames

    /// Appends a client frame header for a payload of `count` bytes (binary, FIN, zero mask key).
    static func appendHeader(count: Int, to bytes: inout [UInt8]) {
        bytes.append(0x82)
        if count < 126 {
            bytes.append(0x80 | UInt8(count))
        } else if count <= 0xFFFF {
            bytes.append(0x80 | 126)
            bytes.append(UInt8(count >> 8))
            bytes.append(UInt8(count & 0xFF))
        } else {
            bytes.append(0x80 | 127)
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8((count >> shift) & 0xFF)) }
        }
        bytes.append(contentsOf: [0, 0, 0, 0])
    }

    /// One whole client frame carrying `message`.
    static func frame(_ message: Message) -> [UInt8] {
        let payload = BinaryCodec().encode(message)
        var bytes: [UInt8] = []
        appendHeader(count: payload.count, to: &bytes)
        bytes.append(contentsOf: payload)
        return bytes
    }

    /// Calls `body` with the payload of every complete server frame read so far, then drops them.
    /// Returns false when the server sent a close frame.
    func forEachFrame(_ body: (UnsafeRawBufferPointer) -> Void) -> Bool {
        var open = true
        inbound.withUnsafeBytes { raw in
            var index = inboundStart
            let end = raw.count
            while end - index >= 2 {
                let opcode = raw[index] & 0x0F
                var length = Int(raw[index + 1] & 0x7F)
                var header = 2
                if length == 126 {
                    guard end - index >= 4 else { break }
                    length = Int(raw[index + 2]) << 8 | Int(raw[index + 3])
                    header = 4
                } else if length == 127 {
                    guard end - index >= 10 else { break }
                    length = 0
                    for offset in 2..<10 { length = length << 8 | Int(raw[index + offset]) }
                    header = 10
                }
                guard end - index >= header + length else { break }
                let payload = UnsafeRawBufferPointer(rebasing: raw[(index + header)..<(index + header + length)])
                if opcode == 0x2 || opcode == 0x1 {
                    body(payload)
                } else if opcode == 0x8 {
                    open = false
                }
                index += header + length
            }
            inboundStart = index
        }
        if inboundStart == inbound.count {
            inbound.removeAll(keepingCapacity: true)
            inboundStart = 0
        } else if inboundStart > 1 << 16 {
            inbound.removeFirst(inboundStart)
            inboundStart = 0
        }
        return open
    }

    // MARK: Socket IO

    /// Reads what is available (non-blocking); false at end of stream or on an error.
    func readAvailable() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count > 0 {
            inbound.append(contentsOf: chunk[0..<count])
            return true
        }
        if count < 0, errno == EAGAIN || errno == EINTR { return true }
        closed = true
        return false
    }

    /// Writes as much of ``outbound`` as the socket takes; false on an error.
    func writeAvailable() -> Bool {
        while outboundStart < outbound.count {
            let count = outbound.withUnsafeBytes { raw in
                write(fd, raw.baseAddress! + outboundStart, raw.count - outboundStart)
            }
            if count > 0 {
                outboundStart += count
            } else if count < 0, errno == EAGAIN || errno == EINTR {
                return true
            } else {
                closed = true
                return false
            }
        }
        outbound.removeAll(keepingCapacity: true)
        outboundStart = 0
        return true
    }

    var hasPendingOutput: Bool { outboundStart < outbound.count }

    private func flushBlocking() throws {
        while outboundStart < outbound.count {
            let count = outbound.withUnsafeBytes { raw in
                write(fd, raw.baseAddress! + outboundStart, raw.count - outboundStart)
            }
            guard count > 0 else { throw Failure("write: errno \(errno)") }
            outboundStart += count
        }
        outbound.removeAll(keepingCapacity: true)
        outboundStart = 0
    }

    private func readBlocking() throws {
        var chunk = [UInt8](repeating: 0, count: 4096)
        let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count > 0 else { throw Failure("connection closed during the upgrade") }
        inbound.append(contentsOf: chunk[0..<count])
    }

    /// Sends `frames` and waits (at most `seconds`) until a received message satisfies `until`.
    func exchange(_ frames: [[UInt8]], seconds: Double = 5, until: (Message) -> Bool) throws {
        for frame in frames { outbound.append(contentsOf: frame) }
        let deadline = RawClock.nanoseconds() + UInt64(seconds * 1e9)
        var done = false
        while !done {
            _ = writeAvailable()
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            _ = poll(&descriptor, 1, 50)
            guard readAvailable() else { throw Failure("connection closed during login") }
            _ = forEachFrame { payload in
                if let message = try? BinaryCodec().decode(payload), until(message) { done = true }
            }
            if RawClock.nanoseconds() > deadline { throw Failure("no answer within \(seconds) s during login") }
        }
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start..<(start + needle.count)].elementsEqual(needle) {
            return start
        }
        return nil
    }
}

/// CLOCK_MONOTONIC in nanoseconds.
enum RawClock {
    static func nanoseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }
}

/// A benchmark error with a one-line message.
struct Failure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
