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
        var id: Int
        var sink: Sink
        var wantsFrames: Bool
        var dropped: Int = 0
        /// Batch subscribers: events of this round not handed over yet.
        var pending: [TrafficEvent] = []
    }

    // An array walked by index, not a dictionary walked by `keys`: a live `keys` view shares the
    // dictionary's storage, so every in-place update during the walk (appending to `pending`) would
    // copy the storage and the pending batch (found with `perf`: 15 % of the console's samples).
    // Ordered by id (ids only grow).
    private var subscribers: [Subscriber] = []
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
        add(.single(continuation), includingFrames: includingFrames)
    }

    /// Registers a batch continuation and returns its id.
    func add(batches continuation: AsyncStream<[TrafficEvent]>.Continuation, includingFrames: Bool) -> Int {
        add(.batched(continuation), includingFrames: includingFrames)
    }

    private func add(_ sink: Sink, includingFrames: Bool) -> Int {
        nextID += 1
        subscribers.append(Subscriber(id: nextID, sink: sink, wantsFrames: includingFrames))
        wantsFrames = wantsFrames || includingFrames
        return nextID
    }

    func remove(_ id: Int) {
        subscribers.removeAll { $0.id == id }
        wantsFrames = subscribers.contains(where: \.wantsFrames)
    }

    /// Drops per subscriber still registered, by id order.
    var droppedPerSubscriber: [Int] { subscribers.map(\.dropped) }

    /// Hands `event` to every subscriber (batch subscribers get it with the next flush).
    func publish(_ event: TrafficEvent) {
        let isFrame = if case .frame = event { true } else { false }
        var index = 0
        while index < subscribers.count {
            if isFrame && !subscribers[index].wantsFrames {
                index += 1
                continue
            }
            switch subscribers[index].sink {
            case .single(let continuation):
                switch continuation.yield(event) {
                case .dropped:
                    subscribers[index].dropped += 1
                    droppedTotal += 1
                case .terminated:
                    remove(subscribers[index].id)
                    continue
                case .enqueued:
                    break
                @unknown default:
                    break
                }
            case .batched:
                subscribers[index].pending.append(event)
                if subscribers[index].pending.count >= Self.maximumBatchCount {
                    if !handOver(at: index) { continue }
                } else if !flushQueued {
                    flushQueued = true
                    scheduleFlush()
                }
            }
            index += 1
        }
    }

    /// Hands every batch subscriber the events collected since the last flush.
    func flush() {
        flushQueued = false
        var index = 0
        while index < subscribers.count {
            if !subscribers[index].pending.isEmpty, !handOver(at: index) { continue }
            index += 1
        }
    }

    /// Yields the pending batch of the subscriber at `index`; false when it had gone (and was removed).
    private func handOver(at index: Int) -> Bool {
        guard case .batched(let continuation) = subscribers[index].sink else { return true }
        var batch: [TrafficEvent] = []
        batch.reserveCapacity(min(subscribers[index].pending.count, Self.maximumBatchCount))
        swap(&batch, &subscribers[index].pending)
        switch continuation.yield(batch) {
        case .dropped(let lost):
            subscribers[index].dropped += lost.count
            droppedTotal += lost.count
        case .terminated:
            remove(subscribers[index].id)
            return false
        case .enqueued:
            break
        @unknown default:
            break
        }
        return true
    }

    /// Ends every stream (batch subscribers first get what is still collected).
    func finishAll() {
        flush()
        for subscriber in subscribers {
            switch subscriber.sink {
            case .single(let continuation): continuation.finish()
            case .batched(let continuation): continuation.finish()
            }
        }
        subscribers = []
    }
}
