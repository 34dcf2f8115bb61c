import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

/// A frame of a capture: which client, which direction, the exact bytes.
struct CaptureFrame: Sendable {
    let client: String
    let toServer: Bool
    let hex: String
    init(client: String, toServer: Bool, hex: String) {
        self.client = client
        self.toServer = toServer
        self.hex = hex
    }
    var bytes: [UInt8] { hexBytes(hex) }
}

func hexBytes(_ hex: String) -> [UInt8] {
    let digits = Array(hex.utf8)
    var out: [UInt8] = []
    out.reserveCapacity(digits.count / 2)
    var i = 0
    while i + 1 < digits.count {
        out.append(UInt8(String(decoding: digits[i...i + 1], as: UTF8.self), radix: 16)!)
        i += 2
    }
    return out
}

struct TestTimeout: Error, CustomStringConvertible {
    let what: String
    var description: String { "timed out waiting for \(what)" }
}

/// Polls `condition` every few milliseconds until it holds or `timeout` passes.
func eventually(_ what: String, timeout: Duration = .seconds(5), _ condition: () throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while try !condition() {
        guard ContinuousClock.now < deadline else { throw TestTimeout(what: what) }
        try await Task.sleep(for: .milliseconds(5))
    }
}

/// Everything one raw TCP connection received, and whether it closed.
final class RawLog: Sendable {
    let bytes = NIOLockedValueBox<[UInt8]>([])
    let closed = NIOLockedValueBox(false)
    /// The HTTP head a server-side connection got (server role with upgrade answering).
    let head = NIOLockedValueBox<String?>(nil)
}

/// Records bytes; on the server side, answers the first HTTP head with 101 (or `response`).
private final class RawHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let log: RawLog
    let answerUpgrade: Bool
    let reply: Bool
    private var headPending: [UInt8]?

    init(log: RawLog, answerUpgrade: Bool, reply: Bool = true) {
        self.log = log
        self.answerUpgrade = answerUpgrade
        self.reply = reply
        headPending = answerUpgrade ? [] : nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        let bytes = Array(buffer.readableBytesView)
        guard var pending = headPending else {
            log.bytes.withLockedValue { $0.append(contentsOf: bytes) }
            return
        }
        pending.append(contentsOf: bytes)
        guard let end = headEnd(pending) else {
            headPending = pending
            return
        }
        headPending = nil
        let head = String(decoding: pending[..<end], as: UTF8.self)
        log.head.withLockedValue { $0 = head }
        log.bytes.withLockedValue { $0.append(contentsOf: pending[end...]) }
        guard reply else { return }
        let key = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("sec-websocket-key:") }
            .map { $0.dropFirst("sec-websocket-key:".count).trimmingCharacters() } ?? ""
        let response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Accept: \(acceptValue(key))\r\n\r\n"
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: response)), promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        log.closed.withLockedValue { $0 = true }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }
}

extension Substring {
    fileprivate func trimmingCharacters() -> String {
        String(self.drop { $0 == " " }.reversed().drop { $0 == " " || $0 == "\r" }.reversed())
    }
}

func headEnd(_ bytes: [UInt8]) -> Int? {
    guard bytes.count >= 4 else { return nil }
    for i in 3..<bytes.count where bytes[i - 3] == 13 && bytes[i - 2] == 10 && bytes[i - 1] == 13 && bytes[i] == 10 {
        return i + 1
    }
    return nil
}

/// A raw TCP connection (client or accepted).
final class RawConnection: Sendable {
    let channel: Channel
    let log: RawLog

    init(channel: Channel, log: RawLog) {
        self.channel = channel
        self.log = log
    }

    static func connect(port: Int, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> RawConnection {
        let log = RawLog()
        let channel = try await ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(RawHandler(log: log, answerUpgrade: false))
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return RawConnection(channel: channel, log: log)
    }

    /// Connects and sends a WebSocket upgrade request for `target`; waits for the 101 head.
    static func webSocket(port: Int, target: String = "/deepstream", extraHeaders: String = "") async throws -> RawConnection {
        let connection = try await connect(port: port)
        try await connection.send(Array(upgradeRequest(target: target, port: port, extraHeaders: extraHeaders).utf8))
        try await eventually("the 101 answer") { headEnd(connection.received) != nil }
        return connection
    }

    static func upgradeRequest(target: String, port: Int, extraHeaders: String = "") -> String {
        "GET \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
            + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\(extraHeaders)\r\n"
    }

    var received: [UInt8] { log.bytes.withLockedValue { $0 } }
    /// What arrived after the HTTP response head.
    var receivedAfterHead: [UInt8] {
        let all = received
        guard let end = headEnd(all) else { return [] }
        return Array(all[end...])
    }
    var isClosed: Bool { log.closed.withLockedValue { $0 } }

    func send(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(channel.allocator.buffer(bytes: bytes)).get()
    }

    func close() async { try? await channel.close().get() }
}

/// A raw TCP server that answers each connection's WebSocket upgrade with 101 and records everything
/// after it (a stand-in deepstream that shows exactly what the proxy forwarded).
final class RawServer: Sendable {
    let channel: Channel
    let accepted: NIOLockedValueBox<[RawConnection]>
    var port: Int { channel.localAddress!.port! }

    private init(channel: Channel, accepted: NIOLockedValueBox<[RawConnection]>) {
        self.channel = channel
        self.accepted = accepted
    }

    /// Starts on a free port; with `autoRead: false` connections read nothing until told to.
    static func start(tls: NIOSSLContext? = nil, autoRead: Bool = true, answer: Bool = true) async throws -> RawServer {
        let accepted = NIOLockedValueBox<[RawConnection]>([])
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.autoRead, value: autoRead)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let log = RawLog()
                    if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
                    try channel.pipeline.syncOperations.addHandler(RawHandler(log: log, answerUpgrade: true, reply: answer))
                    accepted.withLockedValue { $0.append(RawConnection(channel: channel, log: log)) }
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return RawServer(channel: channel, accepted: accepted)
    }

    func connection(_ index: Int) async throws -> RawConnection {
        try await eventually("upstream connection \(index)") { accepted.withLockedValue { $0.count > index } }
        let connection = accepted.withLockedValue { $0[index] }
        try await eventually("upstream connection \(index)'s head") { connection.log.head.withLockedValue { $0 != nil } }
        return connection
    }

    func stop() async {
        for connection in accepted.withLockedValue({ $0 }) { await connection.close() }
        try? await channel.close().get()
    }
}

/// `Sec-WebSocket-Accept` for `key` (RFC 6455 §4.2.2), computed independently of the proxy.
func acceptValue(_ key: String) -> String {
    base64Encode(sha1(Array((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").utf8)))
}

/// A small SHA-1 (test-only, for the handshake answer of the stand-in server).
func sha1(_ message: [UInt8]) -> [UInt8] {
    var h: [UInt32] = [0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0]
    var data = message
    let bitLength = UInt64(message.count) * 8
    data.append(0x80)
    while data.count % 64 != 56 { data.append(0) }
    for i in (0..<8).reversed() { data.append(UInt8((bitLength >> (UInt64(i) * 8)) & 0xFF)) }
    for chunk in stride(from: 0, to: data.count, by: 64) {
        var w = [UInt32](repeating: 0, count: 80)
        for i in 0..<16 {
            w[i] = UInt32(data[chunk + 4 * i]) << 24 | UInt32(data[chunk + 4 * i + 1]) << 16
                | UInt32(data[chunk + 4 * i + 2]) << 8 | UInt32(data[chunk + 4 * i + 3])
        }
        for i in 16..<80 {
            let x = w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]
            w[i] = x << 1 | x >> 31
        }
        var (a, b, c, d, e) = (h[0], h[1], h[2], h[3], h[4])
        for i in 0..<80 {
            let (f, k): (UInt32, UInt32)
            switch i {
            case 0..<20: (f, k) = ((b & c) | (~b & d), 0x5A82_7999)
            case 20..<40: (f, k) = (b ^ c ^ d, 0x6ED9_EBA1)
            case 40..<60: (f, k) = ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC)
            default: (f, k) = (b ^ c ^ d, 0xCA62_C1D6)
            }
            let temp = (a << 5 | a >> 27) &+ f &+ e &+ k &+ w[i]
            e = d
            d = c
            c = b << 30 | b >> 2
            b = a
            a = temp
        }
        h[0] = h[0] &+ a
        h[1] = h[1] &+ b
        h[2] = h[2] &+ c
        h[3] = h[3] &+ d
        h[4] = h[4] &+ e
    }
    return h.flatMap { v in [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
}

func base64Encode(_ bytes: [UInt8]) -> String {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
    var out = ""
    var i = 0
    while i < bytes.count {
        let n = (UInt32(bytes[i]) << 16) | (i + 1 < bytes.count ? UInt32(bytes[i + 1]) << 8 : 0)
            | (i + 2 < bytes.count ? UInt32(bytes[i + 2]) : 0)
        out.append(alphabet[Int(n >> 18 & 63)])
        out.append(alphabet[Int(n >> 12 & 63)])
        out.append(i + 1 < bytes.count ? alphabet[Int(n >> 6 & 63)] : "=")
        out.append(i + 2 < bytes.count ? alphabet[Int(n & 63)] : "=")
        i += 3
    }
    return out
}

/// A masked client frame (what a WebSocket client sends).
func clientFrame(opcode: UInt8, _ payload: [UInt8], fin: Bool = true, mask: [UInt8] = [0x12, 0x34, 0x56, 0x78]) -> [UInt8] {
    var frame: [UInt8] = [(fin ? 0x80 : 0) | opcode]
    if payload.count < 126 {
        frame.append(0x80 | UInt8(payload.count))
    } else if payload.count <= 0xFFFF {
        frame += [0x80 | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
    } else {
        frame.append(0x80 | 127)
        for i in (0..<8).reversed() { frame.append(UInt8((UInt64(payload.count) >> (UInt64(i) * 8)) & 0xFF)) }
    }
    frame += mask
    for (i, byte) in payload.enumerated() { frame.append(byte ^ mask[i & 3]) }
    return frame
}

/// An unmasked server frame.
func serverFrame(opcode: UInt8, _ payload: [UInt8], fin: Bool = true) -> [UInt8] {
    var frame: [UInt8] = [(fin ? 0x80 : 0) | opcode]
    if payload.count < 126 {
        frame.append(UInt8(payload.count))
    } else if payload.count <= 0xFFFF {
        frame += [126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
    } else {
        frame.append(127)
        for i in (0..<8).reversed() { frame.append(UInt8((UInt64(payload.count) >> (UInt64(i) * 8)) & 0xFF)) }
    }
    return frame + payload
}

/// `nil` when equal, else where two byte streams first differ and their lengths (short failure messages).
func firstDifference(_ a: [UInt8], _ b: [UInt8]) -> String? {
    guard a != b else { return nil }
    let index = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
    return "differ at byte \(index) (lengths \(a.count) and \(b.count))"
}
