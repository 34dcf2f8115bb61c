import DeepstreamProtocol
import Synchronization

/// Fans events out to any number of subscribers, each with its own bounded buffer.
///
/// A subscriber takes events one by one or in batches (one array per ``emit(contentsOf:)``, so a
/// batch that arrived together travels on together: one stream hand-over instead of one per event).
/// A subscriber's stream keeps the newest `limit` undelivered events (batches, for a batch
/// subscriber); when one is evicted the subscriber's drop count grows by the events lost, and as
/// soon as a later hand-over finds room again the subscriber receives
/// ``EngineEvent/dropped(count:)`` with the number lost since the previous marker.
final class EventHub: Sendable {
    private enum Sink {
        case single(AsyncStream<EngineEvent>.Continuation)
        case batched(AsyncStream<[EngineEvent]>.Continuation)
        /// Called with each batch under the hub's lock (see ``receive(_:)``).
        case receiver(@Sendable ([EngineEvent]) -> Void)
    }

    private struct Subscriber {
        var sink: Sink
        var pendingDrops: Int = 0
    }

    private struct State {
        var nextID = 0
        var subscribers: [Int: Subscriber] = [:]
        var totalDropped = 0
    }

    private let state = Mutex(State())

    /// A new subscription.
    func subscribe(bufferingNewest limit: Int) -> AsyncStream<EngineEvent> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: EngineEvent.self, bufferingPolicy: .bufferingNewest(max(1, limit)))
        let id = add(.single(continuation))
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    /// A new subscription in batches, keeping at most `limit` undelivered batches.
    func subscribeBatches(bufferingNewest limit: Int) -> AsyncStream<[EngineEvent]> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: [EngineEvent].self, bufferingPolicy: .bufferingNewest(max(1, limit)))
        let id = add(.batched(continuation))
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Calls `receive` with each emitted batch (a single event as a one-element batch), on the
    /// emitting task and under the hub's lock, so batches arrive in the order they were emitted, with
    /// no stream hand-over and no task switch. `receive` must only hand the batch on (append to its
    /// own bounded queue, wake its reader) and never call back into the hub: no buffering and no
    /// drops happen here, the receiver bounds and counts. Returns the id for ``stopReceiving(_:)``.
    func receive(_ receive: @escaping @Sendable ([EngineEvent]) -> Void) -> Int {
        add(.receiver(receive))
    }

    /// Ends a ``receive(_:)`` subscription.
    func stopReceiving(_ id: Int) {
        _ = state.withLock { $0.subscribers.removeValue(forKey: id) }
    }

    private func add(_ sink: Sink) -> Int {
        state.withLock { s in
            let id = s.nextID
            s.nextID += 1
            s.subscribers[id] = Subscriber(sink: sink)
            return id
        }
    }

    /// Delivers `event` to every subscriber.
    func emit(_ event: EngineEvent) {
        state.withLock { s in
            // Walked by index and updated in place: a live `keys` view would share the storage and
            // make every write-back copy the dictionary.
            var index = s.subscribers.startIndex
            while index != s.subscribers.endIndex {
                let lost: Int
                switch s.subscribers.values[index].sink {
                case .single(let continuation):
                    lost = Self.deliver(event, to: continuation, drops: &s.subscribers.values[index].pendingDrops)
                case .batched(let continuation):
                    lost = Self.deliver([event], to: continuation, drops: &s.subscribers.values[index].pendingDrops)
                case .receiver(let receive):
                    receive([event])
                    lost = 0
                }
                s.totalDropped += lost
                s.subscribers.formIndex(after: &index)
            }
        }
    }

    /// Delivers `events`, in order, to every subscriber: one hand-over to a batch subscriber.
    func emit(contentsOf events: [EngineEvent]) {
        guard !events.isEmpty else { return }
        state.withLock { s in
            var index = s.subscribers.startIndex
            while index != s.subscribers.endIndex {
                var lost = 0
                switch s.subscribers.values[index].sink {
                case .single(let continuation):
                    for event in events {
                        lost += Self.deliver(event, to: continuation, drops: &s.subscribers.values[index].pendingDrops)
                    }
                case .batched(let continuation):
                    lost = Self.deliver(events, to: continuation, drops: &s.subscribers.values[index].pendingDrops)
                case .receiver(let receive):
                    receive(events)
                }
                s.totalDropped += lost
                s.subscribers.formIndex(after: &index)
            }
        }
    }

    /// Events dropped so far, over all subscribers.
    var totalDropped: Int { state.withLock { $0.totalDropped } }

    /// Ends every subscription.
    func finishAll() {
        let subs = state.withLock { s in
            defer { s.subscribers.removeAll() }
            return Array(s.subscribers.values)
        }
        for sub in subs {
            switch sub.sink {
            case .single(let continuation): continuation.finish()
            case .batched(let continuation): continuation.finish()
            case .receiver: break
            }
        }
    }

    /// Returns how many events were evicted (0 or 1).
    private static func deliver(
        _ event: EngineEvent, to continuation: AsyncStream<EngineEvent>.Continuation, drops: inout Int
    ) -> Int {
        yield(event, to: continuation, eventCount: { _ in 1 }, dropMarker: { .dropped(count: $0) }, drops: &drops)
    }

    /// Returns how many events were evicted with the oldest batch, if one was.
    private static func deliver(
        _ batch: [EngineEvent], to continuation: AsyncStream<[EngineEvent]>.Continuation, drops: inout Int
    ) -> Int {
        yield(batch, to: continuation, eventCount: \.count, dropMarker: { [.dropped(count: $0)] }, drops: &drops)
    }

    /// Yields `element`; an evicted element's events are added to `drops`, and once the stream has
    /// room again (`remaining > 0`, so the marker evicts nothing) a drop marker reports them.
    /// Returns how many events were evicted.
    private static func yield<Element: Sendable>(
        _ element: Element, to continuation: AsyncStream<Element>.Continuation, eventCount: (Element) -> Int,
        dropMarker: (Int) -> Element, drops: inout Int
    ) -> Int {
        switch continuation.yield(element) {
        case .dropped(let lost):
            let count = eventCount(lost)
            drops += count
            return count
        case .enqueued(let remaining):
            if drops > 0, remaining > 0 {
                continuation.yield(dropMarker(drops))
                drops = 0
            }
            return 0
        case .terminated:
            return 0
        @unknown default:
            return 0
        }
    }
}
