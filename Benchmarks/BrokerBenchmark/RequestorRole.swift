import DeepstreamProtocol
import Histogram
import NIOCore

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
