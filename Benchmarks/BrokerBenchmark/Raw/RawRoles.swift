import DeepstreamProtocol
import Histogram

/// What one measured phase counted.
struct PhaseCounters {
    var completed = 0
    /// Error replies to the requestors (timeouts, NO_RPC_PROVIDER, …) and to the providers.
    var requestorErrors = 0
    var providerErrors = 0
    var histogram = Histogram<UInt64>(highestTrackableValue: 60_000_000)
}

/// Keeps `window` calls in flight on one connection: each RESPONSE frees its slot, which is sent again
/// at once with the next generation in its correlation id.
final class RawRequestor {
    let connection: RawConnection
    let index: Int
    let window: Int
    private let template: FrameTemplate
    private var starts: [UInt64]
    private var generations: [Int]
    private(set) var outstanding = 0
    /// False once the phase ends: answered slots are not refilled.
    var sending = true

    init(connection: RawConnection, index: Int, window: Int, name: String, payload: String) {
        self.connection = connection
        self.index = index
        self.window = window
        template = FrameTemplate { .rpc(RPCMessage(action: .request, data: payload, correlationId: $0, name: name)) }
        starts = Array(repeating: 0, count: window)
        generations = Array(repeating: 0, count: window)
    }

    /// Fills the window.
    func start(at now: UInt64) {
        for slot in 0..<window { send(slot: slot, at: now) }
    }

    private func send(slot: Int, at now: UInt64) {
        generations[slot] += 1
        starts[slot] = now
        outstanding += 1
        template.append(requestor: index, slot: slot, generation: generations[slot], to: &connection.outbound)
    }

    /// Handles one frame from the broker.
    func handle(_ payload: UnsafeRawBufferPointer, at now: UInt64, measuring: Bool, into counters: inout PhaseCounters) {
        guard let frame = ScannedFrame(payload), frame.topic == Topic.rpc.rawValue else { return }
        if frame.action == RPCAction.accept.rawValue { return }
        guard let range = frame.correlationId,
            let slot = FrameTemplate.slot(in: UnsafeRawBufferPointer(rebasing: payload[range])), slot < window
        else {
            if measuring { counters.requestorErrors += 1 }
            return
        }
        outstanding -= 1
        if frame.action == RPCAction.response.rawValue {
            if measuring {
                counters.completed += 1
                _ = counters.histogram.record((now &- starts[slot]) / 1000)
            }
        } else if measuring {
            counters.requestorErrors += 1
        }
        if sending { send(slot: slot, at: now) }
    }
}

/// Answers every REQUEST with ACCEPT then RESPONSE, as the JS client does.
final class RawProvider {
    let connection: RawConnection
    private let accept: FrameTemplate
    private let response: FrameTemplate
    private let name: String
    private let payload: String

    init(connection: RawConnection, name: String, payload: String) {
        self.connection = connection
        self.name = name
        self.payload = payload
        accept = FrameTemplate { .rpc(RPCMessage(action: .accept, correlationId: $0, name: name)) }
        response = FrameTemplate { .rpc(RPCMessage(action: .response, data: payload, correlationId: $0, name: name)) }
    }

    /// Handles one frame from the broker.
    func handle(_ payload: UnsafeRawBufferPointer, measuring: Bool, into counters: inout PhaseCounters) {
        guard let frame = ScannedFrame(payload), frame.topic == Topic.rpc.rawValue else { return }
        guard frame.action == RPCAction.request.rawValue, let range = frame.correlationId else {
            if measuring, !frame.isAck { counters.providerErrors += 1 }
            return
        }
        let id = UnsafeRawBufferPointer(rebasing: payload[range])
        if id.count == FrameTemplate.width {
            accept.append(correlationId: id, to: &connection.outbound)
            response.append(correlationId: id, to: &connection.outbound)
        } else {
            // The broker rewrote a colliding id (docs/broker.md, deviation 5): encode the slow way.
            let text = String(decoding: id, as: UTF8.self)
            connection.outbound += RawConnection.frame(.rpc(RPCMessage(action: .accept, correlationId: text, name: name)))
            connection.outbound += RawConnection.frame(.rpc(RPCMessage(
                action: .response, data: self.payload, correlationId: text, name: name)))
        }
    }
}
