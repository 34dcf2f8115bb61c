import DeepstreamProtocol

/// Fans traffic events out to subscribers, each through its own bounded `AsyncStream`. Publishing
/// never waits: a subscriber whose buffer is full loses its oldest events and the loss is counted.
/// Confined to the broker's event loop.
final class TrafficTap {
    private struct Subscriber {
        var continuation: AsyncStream<TrafficEvent>.Continuation
        var wantsFrames: Bool
        var dropped: Int = 0
    }

    private var subscribers: [Int: Subscriber] = [:]
    private var nextID = 0
    /// Events lost by all subscribers together, including those of subscribers that have left.
    private(set) var droppedTotal = 0

    /// Whether anybody listens (so producers can skip building events).
    var isActive: Bool { !subscribers.isEmpty }

    /// Whether any subscriber wants `.frame` events; when none does, the broker does not build them
    /// (they are the bulk of the tap: six per routed call).
    private(set) var wantsFrames = false

    /// Registers a continuation and returns its id.
    func add(_ continuation: AsyncStream<TrafficEvent>.Continuation, includingFrames: Bool) -> Int {
        nextID += 1
        subscribers[nextID] = Subscriber(continuation: continuation, wantsFrames: includingFrames)
        wantsFrames = wantsFrames || includingFrames
        return nextID
    }

    func remove(_ id: Int) {
        subscribers[id] = nil
        wantsFrames = subscribers.values.contains(where: \.wantsFrames)
    }

    /// Drops per subscriber still registered, by id order.
    var droppedPerSubscriber: [Int] {
        subscribers.count == 1 ? [subscribers.first!.value.dropped] : subscribers.keys.sorted().map { subscribers[$0]!.dropped }
    }

    /// Hands `event` to every subscriber.
    func publish(_ event: TrafficEvent) {
        let isFrame = if case .frame = event { true } else { false }
        for id in subscribers.keys {
            if isFrame && !subscribers[id]!.wantsFrames { continue }
            switch subscribers[id]!.continuation.yield(event) {
            case .dropped:
                subscribers[id]!.dropped += 1
                droppedTotal += 1
            case .terminated:
                remove(id)
            case .enqueued:
                break
            @unknown default:
                break
            }
        }
    }

    /// Ends every stream.
    func finishAll() {
        for subscriber in subscribers.values { subscriber.continuation.finish() }
        subscribers = [:]
    }
}
