import DeepstreamProtocol
import NIOCore

/// The well-behaved client: one RPC at a time, the next one as soon as the previous is answered,
/// recording when each call started and ended. Lives on one event loop.
final class SteadyCaller: @unchecked Sendable {
    // @unchecked: all mutable state is read and written only on `loop` (the message callback runs
    // there, and `start`/`stop`/`calls` hop onto it with `submit`).
    struct Call {
        var start: UInt64
        var end: UInt64
        var failed: Bool
        var milliseconds: Double { Double(end - start) / 1e6 }
    }

    private let client: WireClient
    private let name: String
    private var running = false
    private var sent = 0
    private var pendingSince: UInt64 = 0
    private var records: [Call] = []

    init(client: WireClient, name: String) {
        self.client = client
        self.name = name
    }

    /// Starts calling (returns once the first request is written).
    func start() async throws {
        try await client.loop.submit { [self] in
            client.onMessage = { [self] message in received(message) }
            running = true
            sendOne()
        }.get()
    }

    /// Stops after the call in flight; returns every call recorded.
    func stop() async throws -> [Call] {
        try await client.loop.submit { [self] in
            running = false
            return records
        }.get()
    }

    /// The calls recorded so far.
    func calls() async throws -> [Call] {
        try await client.loop.submit { [self] in records }.get()
    }

    private func sendOne() {
        sent += 1
        pendingSince = NIODeadline.now().uptimeNanoseconds
        client.send(.rpc(RPCMessage(action: .request, data: "\"ping\"", correlationId: "s\(sent)", name: name)))
    }

    private func received(_ message: Message?) {
        guard case .rpc(let m)? = message, m.correlationId == "s\(sent)" else { return }
        switch m.action {
        case .accept:
            return
        case .response:
            records.append(Call(start: pendingSince, end: NIODeadline.now().uptimeNanoseconds, failed: false))
        default:
            records.append(Call(start: pendingSince, end: NIODeadline.now().uptimeNanoseconds, failed: true))
        }
        if running { sendOne() }
    }
}
