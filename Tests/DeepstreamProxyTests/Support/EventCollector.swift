import DeepstreamProtocol
import NIOConcurrencyHelpers

/// Collects a proxy's events in the background.
final class EventCollector: Sendable {
    let events = NIOLockedValueBox<[TrafficEvent]>([])
    private let task = NIOLockedValueBox<Task<Void, Never>?>(nil)

    init(_ stream: AsyncStream<TrafficEvent>) {
        let events = self.events
        task.withLockedValue {
            $0 = Task {
                for await event in stream { events.withLockedValue { $0.append(event) } }
            }
        }
    }

    /// Collects a batch stream (``Proxy/eventBatches(bufferingNewest:includingFrames:)``) flattened.
    init(batches stream: AsyncStream<[TrafficEvent]>) {
        let events = self.events
        task.withLockedValue {
            $0 = Task {
                for await batch in stream { events.withLockedValue { $0.append(contentsOf: batch) } }
            }
        }
    }

    var all: [TrafficEvent] { events.withLockedValue { $0 } }

    /// Call steps as `name step` strings in arrival order, with peers.
    var steps: [String] { all.compactMap { if case .call(let c) = $0 { stepText(c) } else { nil } } }

    func waitFor(_ what: String, timeout: Duration = .seconds(5), _ condition: @escaping ([TrafficEvent]) -> Bool) async throws {
        try await eventually(what, timeout: timeout) { condition(all) }
    }
}

/// `name requestor/cid step` in a compact form for assertions.
func stepText(_ call: CallEvent) -> String {
    let step: String
    switch call.step {
    case .requested: step = "requested"
    case .routed(let p): step = "routed \(p)"
    case .accepted(let p): step = "accepted \(p)"
    case .rejected(let p): step = "rejected \(p)"
    case .responded(let d): step = "responded \(d ?? "-")"
    case .errored(let d): step = "errored \(d ?? "-")"
    case .failed(let r): step = "failed \(r.name)"
    case .denied(let rule, let r): step = "denied \(rule) \(r.name)"
    case .abandoned(let r): step = "abandoned \(r)"
    case .steered(let rule, let action, let detail): step = "steered \(rule) \(action) \(detail ?? "-")"
    }
    return "\(call.name) \(call.call.requestor.map(\.description) ?? "-") \(step)"
}
