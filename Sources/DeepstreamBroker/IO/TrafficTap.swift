import DeepstreamProtocol

/// Fans traffic events out to subscribers, each through its own bounded `AsyncStream`. Publishing
/// never waits: a subscriber whose buffer is full loses its oldest events and the loss is counted.
/// Confined to the broker's event loop.
///
/// A subscriber takes events one by one or in batches. A batch subscriber's events are collected
/// while the loop works through its current round (a read batch, a timer) and handed over as one
/// array when the loop runs the flush task queued with the first of them, so a busy broker costs one
/// stream hand-over (and one wake-up of the reader) per round instead of one per event.
final class TrafficTap {
    /// The most events one batch holds; a fuller batch is handed over at once.
    static let maximumBatchCount = 256

    private enum Sink {
        case single(AsyncStream<TrafficEvent>.Continuation)
        case batched(AsyncStream<[TrafficEvent]>.Continuation)
    }

    private struct Subscriber {
        var sink: Sink
        var wantsFrames: Bool
        var dropped: Int = 0
        /// Batch subscribers: events of this round not handed over yet.
        var pending: [TrafficEvent] = []
    }

    private var subscribers: [Int: Subscriber] = [:]
    private var nextID = 0
    private var flushQueued = false
    /// Queues ``flush()`` to run after the loop's current work; set by the broker runtime.
    var scheduleFlush: () -> Void = {}
    /// Events lost by all subscribers together, including those of subscribers that have left.
    private(set) var droppedTotal = 0

    /// Whether anybody listens (so producers can skip building events).
    var isActive: Bool { !subscribers.isEmpty }

    /// Whether any subscriber wants `.frame` events; when none does, the broker does not build them
    /// (they are the bulk of the tap: six per routed call).
    private(set) var wantsFrames = false

    /// Registers a one-event-at-a-time continuation and returns its id.
    func add(_ continuation: AsyncStream<TrafficEvent>.Continuation, includingFrames: Bool) -> Int {
        add(Subscriber(sink: .single(continuation), wantsFrames: includingFrames))
    }

    /// Registers a batch continuation and returns its id.
    func add(batches continuation: AsyncStream<[TrafficEvent]>.Continuation, includingFrames: Bool) -> Int {
        add(Subscriber(sink: .batched(continuation), wantsFrames: includingFrames))
    }

    private func add(_ subscriber: Subscriber) -> Int {
        nextID += 1
        subscribers[nextID] = subscriber
        wantsFrames = wantsFrames || subscriber.wantsFrames
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

    /// Hands `event` to every subscriber (batch subscribers get it with the next flush).
    func publish(_ event: TrafficEvent) {
        let isFrame = if case .frame = event { true } else { false }
        for id in subscribers.keys {
            if isFrame && !subscribers[id]!.wantsFrames { continue }
            switch subscribers[id]!.sink {
            case .single(let continuation):
                switch continuation.yield(event) {
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
            case .batched:
                subscribers[id]!.pending.append(event)
                if subscribers[id]!.pending.count >= Self.maximumBatchCount {
                    handOver(id)
                } else if !flushQueued {
                    flushQueued = true
                    scheduleFlush()
                }
            }
        }
    }

    /// Hands every batch subscriber the events collected since the last flush.
    func flush() {
        flushQueued = false
        for id in subscribers.keys where !subscribers[id]!.pending.isEmpty {
            handOver(id)
        }
    }

    private func handOver(_ id: Int) {
        guard case .batched(let continuation) = subscribers[id]!.sink else { return }
        let batch = subscribers[id]!.pending
        subscribers[id]!.pending = []
        subscribers[id]!.pending.reserveCapacity(min(batch.count, Self.maximumBatchCount))
        switch continuation.yield(batch) {
        case .dropped(let lost):
            subscribers[id]!.dropped += lost.count
            droppedTotal += lost.count
        case .terminated:
            remove(id)
        case .enqueued:
            break
        @unknown default:
            break
        }
    }

    /// Ends every stream (batch subscribers first get what is still collected).
    func finishAll() {
        flush()
        for subscriber in subscribers.values {
            switch subscriber.sink {
            case .single(let continuation): continuation.finish()
            case .batched(let continuation): continuation.finish()
            }
        }
        subscribers = [:]
    }
}
