import DeepstreamProtocol
import Synchronization

/// A bounded hand-over of engine events from the forwarding task to the loop.
///
/// The forwarder appends; the loop takes everything in one batch. Only the append that finds the queue
/// empty wakes the loop, so a busy broker costs one wake-up per batch, not per event. Beyond `capacity`
/// the oldest events are dropped and counted; the loop reports them as ``EngineEvent/dropped(count:)``.
final class EngineEventQueue: Sendable {
    private struct Storage {
        var events: [EngineEvent] = []
        var dropped = 0
        var head = 0
    }

    /// The most events held.
    let capacity: Int
    private let storage = Mutex(Storage())

    /// A queue holding at most `capacity` events.
    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Appends `event`; returns true when the queue was empty (the caller wakes the loop).
    func append(_ event: EngineEvent) -> Bool {
        storage.withLock { s in
            let wasEmpty = s.events.count == s.head
            if s.events.count - s.head >= capacity {
                s.head += 1
                s.dropped += 1
            }
            s.events.append(event)
            return wasEmpty
        }
    }

    /// How many events wait (the offline loader waits while many do: it must not drop any).
    var count: Int { storage.withLock { $0.events.count - $0.head } }

    /// Appends the events of `batch` that the console shows (frames are left out: the broker's tap
    /// already omits them); returns true when the queue was empty and something was appended.
    func append(contentsOf batch: [EngineEvent]) -> Bool {
        storage.withLock { s in
            let wasEmpty = s.events.count == s.head
            var appended = false
            for event in batch {
                if case .frame = event { continue }
                if s.events.count - s.head >= capacity {
                    s.head += 1
                    s.dropped += 1
                }
                s.events.append(event)
                appended = true
            }
            return wasEmpty && appended
        }
    }

    /// Takes every waiting event and the number dropped since the last take.
    func takeAll() -> (events: ArraySlice<EngineEvent>, dropped: Int) {
        storage.withLock { s in
            let batch = s.events[s.head...]
            let dropped = s.dropped
            s.events = []
            s.events.reserveCapacity(min(batch.count, capacity))
            s.head = 0
            s.dropped = 0
            return (batch, dropped)
        }
    }
}
