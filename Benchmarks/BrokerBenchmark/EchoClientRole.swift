import DeepstreamProtocol
import Histogram
import NIOCore

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
