import DeepstreamProtocol
import Histogram
import NIOCore

/// Logs in; when `provides` is non-empty also provides those names; then fulfils `ready`.
/// As a provider it answers every REQUEST with ACCEPT + RESPONSE carrying `responseData`, as the JS
/// client does.
final class ProviderRole: BenchRole {
    let ready: EventLoopPromise<Void>
    let names: [String]
    let responseData: String

    init(names: [String], responseData: String, ready: EventLoopPromise<Void>) {
        self.names = names
        self.responseData = responseData
        self.ready = ready
    }

    func started(_ connection: BenchConnection) {
        connection.write(.connection(ConnectionMessage(action: .challenge)))
        connection.flush()
    }

    func received(_ payload: ByteBuffer, on connection: BenchConnection) {
        guard let message = payload.withUnsafeReadableBytes({ try? BinaryCodec().decode($0) }) else { return }
        switch message {
        case .connection(let m) where m.action == .accept:
            connection.write(.auth(AuthMessage(action: .request, data: "{}")))
            connection.flush()
        case .auth(let m) where m.action == .authSuccessful:
            connection.write(.rpc(RPCMessage(action: .provide, correlationId: "0", names: names)))
            connection.flush()
        case .rpc(let m) where m.action == .provide && m.isAck == true:
            ready.succeed()
        case .rpc(let m) where m.action == .request:
            connection.write(.rpc(RPCMessage(action: .accept, correlationId: m.correlationId, name: m.name)))
            connection.write(.rpc(RPCMessage(action: .response, data: responseData, correlationId: m.correlationId, name: m.name)))
            connection.flush()
        default:
            break
        }
    }
}

/// Logs in, then keeps `window` calls in flight until `total` have completed, recording each call's
/// round-trip time in microseconds.
final class RequestorRole: BenchRole {
    let ready: EventLoopPromise<Void>
    let done: EventLoopPromise<Histogram<UInt64>>
    let name: String
    let requestData: String
    let window: Int
    let total: Int
    private var sent = 0
    private var completed = 0
    private var started: [String: UInt64] = [:]
    private var histogram = Histogram<UInt64>(highestTrackableValue: 60_000_000)
    private weak var connection: BenchConnection?

    init(name: String, requestData: String, window: Int, total: Int, ready: EventLoopPromise<Void>, done: EventLoopPromise<Histogram<UInt64>>) {
        self.name = name
        self.requestData = requestData
        self.window = window
        self.total = total
        self.ready = ready
        self.done = done
    }

    func started(_ connection: BenchConnection) {
        self.connection = connection
        connection.write(.connection(ConnectionMessage(action: .challenge)))
        connection.flush()
    }

    /// Starts sending (call on the connection's loop).
    func go() {
        for _ in 0..<min(window, total) { sendOne() }
        connection?.flush()
    }

    private func sendOne() {
        let cid = "c\(sent)"
        sent += 1
        started[cid] = NIODeadline.now().uptimeNanoseconds
        connection?.write(.rpc(RPCMessage(action: .request, data: requestData, correlationId: cid, name: name)))
    }

    func received(_ payload: ByteBuffer, on connection: BenchConnection) {
        guard let message = payload.withUnsafeReadableBytes({ try? BinaryCodec().decode($0) }) else { return }
        switch message {
        case .connection(let m) where m.action == .accept:
            connection.write(.auth(AuthMessage(action: .request, data: "{}")))
            connection.flush()
        case .auth(let m) where m.action == .authSuccessful:
            ready.succeed()
        case .rpc(let m) where m.action == .response || m.action.rawValue >= 100:
            if let cid = m.correlationId, let start = started.removeValue(forKey: cid) {
                _ = histogram.record((NIODeadline.now().uptimeNanoseconds - start) / 1000)
            }
            completed += 1
            if completed == total {
                done.succeed(histogram)
            } else if sent < total {
                sendOne()
                connection.flush()
            }
        default:
            break
        }
    }
}

/// Sends `window` frames of `frameSize` bytes at a time to an echo server until `total` came back.
final class EchoClientRole: BenchRole {
    let done: EventLoopPromise<Histogram<UInt64>>
    let frameSize: Int
    let window: Int
    let total: Int
    private var sent = 0
    private var completed = 0
    private var starts: [UInt64] = []
    private var head = 0
    private var histogram = Histogram<UInt64>(highestTrackableValue: 60_000_000)
    private weak var connection: BenchConnection?

    init(frameSize: Int, window: Int, total: Int, done: EventLoopPromise<Histogram<UInt64>>) {
        self.frameSize = frameSize
        self.window = window
        self.total = total
        self.done = done
    }

    func started(_ connection: BenchConnection) { self.connection = connection }

    func go() {
        for _ in 0..<min(window, total) { sendOne() }
        connection?.flush()
    }

    private func sendOne() {
        sent += 1
        starts.append(NIODeadline.now().uptimeNanoseconds)
        connection?.write(ByteBuffer(repeating: 0x61, count: frameSize))
    }

    func received(_ payload: ByteBuffer, on connection: BenchConnection) {
        // Echoes come back in order on one connection.
        _ = histogram.record((NIODeadline.now().uptimeNanoseconds - starts[head]) / 1000)
        head += 1
        completed += 1
        if completed == total {
            done.succeed(histogram)
        } else if sent < total {
            sendOne()
            connection.flush()
        }
    }
}
