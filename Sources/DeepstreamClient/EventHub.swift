import DeepstreamProtocol
import Synchronization

/// Fans events out to any number of subscribers, each with its own bounded buffer.
///
/// A subscriber's stream keeps the newest `limit` undelivered events; when one is evicted the
/// subscriber's drop count grows, and as soon as a later event finds room again the subscriber
/// receives ``EngineEvent/dropped(count:)`` with the number lost since the previous marker.
final class EventHub: Sendable {
    private struct Subscriber {
        var continuation: AsyncStream<EngineEvent>.Continuation
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
        let id = state.withLock { s in
            let id = s.nextID
            s.nextID += 1
            s.subscribers[id] = Subscriber(continuation: continuation)
            return id
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Delivers `event` to every subscriber.
    func emit(_ event: EngineEvent) {
        state.withLock { s in
            for id in s.subscribers.keys {
                guard var sub = s.subscribers[id] else { continue }
                let lost = Self.deliver(event, to: &sub)
                s.totalDropped += lost
                s.subscribers[id] = sub
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
        for sub in subs { sub.continuation.finish() }
    }

    /// Returns how many events were evicted (0 or 1).
    private static func deliver(_ event: EngineEvent, to sub: inout Subscriber) -> Int {
        switch sub.continuation.yield(event) {
        case .dropped:
            sub.pendingDrops += 1
            return 1
        case .enqueued(let remaining):
            // `remaining > 0` means the marker fits without evicting anything.
            if sub.pendingDrops > 0, remaining > 0 {
                sub.continuation.yield(.dropped(count: sub.pendingDrops))
                sub.pendingDrops = 0
            }
            return 0
        case .terminated:
            return 0
        @unknown default:
            return 0
        }
    }
}
