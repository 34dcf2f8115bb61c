import DeepstreamProtocol

/// Fans traffic events out to subscribers, each through its own bounded `AsyncStream`. Publishing
/// never waits: a subscriber whose buffer is full loses its oldest events and the loss is counted.
/// Confined to the broker's event loop.
///
/// A subscriber takes events one by one or in batches. A batch subscriber's events are collected
/// while the loop works through its current round (a read batch, a timer) and handed over as one
/// array when the loop runs the flush task queued with the first of them, so a busy broker costs one
/// stream hand-over (and one wake-up of the reader) per round instead of one per event.
///
/// A batch subscriber with a collection interval (the console, which draws at most 30 frames a
/// second) is instead handed its batch by a timer armed with the batch's first event: at 5,000 calls
/// a second that is 100 hand-overs a second instead of one per loop round (thousands), each of which
/// also wakes the reader's thread.
final class TrafficTap {
    /// The most events one batch holds; a fuller batch is handed over at once.
    static let maximumBatchCount = 256
    /// The most events one batch of a subscriber with a collection interval holds.
    static let maximumTimedBatchCount = 4_096

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
        /// Batch subscribers: how long the first pending event waits for others (nil: to the end of
        /// the loop's round).
        var interval: Duration?
        /// Whether the timer that hands over `pending` is armed.
        var timerArmed = false

        var batchLimit: Int { interval == nil ? TrafficTap.maximumBatchCount : TrafficTap.maximumTimedBatchCount }
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
    /// Runs the given work on the loop after the given delay; set by the broker runtime.
    var scheduleAfter: (Duration, @escaping () -> Void) -> Void = { _, _ in }
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

    /// Registers a batch continuation and returns its id. With an `interval`, a batch is handed over
    /// that long after its first event (or when it is full) instead of at the end of the loop's round.
    func add(
        batches continuation: AsyncStream<[TrafficEvent]>.Continuation, includingFrames: Bool, interval: Duration? = nil
    ) -> Int {
        add(.batched(continuation), includingFrames: includingFrames, interval: interval)
    }

    private func add(_ sink: Sink, includingFrames: Bool, interval: Duration? = nil) -> Int {
        nextID += 1
        subscribers.append(Subscriber(id: nextID, sink: sink, wantsFrames: includingFrames, interval: interval))
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
                if subscribers[index].pending.count >= subscribers[index].batchLimit {
                    if !handOver(at: index) { continue }
                } else if let interval = subscribers[index].interval {
                    if !subscribers[index].timerArmed {
                        subscribers[index].timerArmed = true
                        let id = subscribers[index].id
                        scheduleAfter(interval) { [weak self] in self?.flush(subscriber: id) }
                    }
                } else if !flushQueued {
                    flushQueued = true
                    scheduleFlush()
                }
            }
            index += 1
        }
    }

    /// Hands every batch subscriber without a collection interval (all of them when `everyone`) the
    /// events collected since the last flush.
    func flush(everyone: Bool = false) {
        flushQueued = false
        var index = 0
        while index < subscribers.count {
            if !subscribers[index].pending.isEmpty, everyone || subscribers[index].interval == nil, !handOver(at: index) {
                continue
            }
            index += 1
        }
    }

    /// The timer of subscriber `id` ran out: hands it what it collected (if it is still there).
    private func flush(subscriber id: Int) {
        guard let index = subscribers.firstIndex(where: { $0.id == id }) else { return }
        subscribers[index].timerArmed = false
        if !subscribers[index].pending.isEmpty { _ = handOver(at: index) }
    }

    /// Yields the pending batch of the subscriber at `index`; false when it had gone (and was removed).
    private func handOver(at index: Int) -> Bool {
        guard case .batched(let continuation) = subscribers[index].sink else { return true }
        var batch: [TrafficEvent] = []
        batch.reserveCapacity(min(subscribers[index].pending.count, subscribers[index].batchLimit))
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
        flush(everyone: true)
        for subscriber in subscribers {
            switch subscriber.sink {
            case .single(let continuation): continuation.finish()
            case .batched(let continuation): continuation.finish()
            }
        }
        subscribers = []
    }
}
