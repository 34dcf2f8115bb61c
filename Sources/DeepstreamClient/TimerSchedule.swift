/// Every timer of one engine as a pure value: keyed deadlines on the engine's monotonic time
/// (durations since the engine started). The shell keeps one sleeper for the earliest deadline, so
/// arming and cancelling never start or leak tasks.
///
/// Arming, cancelling and finding the earliest deadline are O(log n) amortised (a binary heap whose
/// stale entries are dropped lazily), so thousands of calls with a `timeout:` stay cheap.
package struct TimerSchedule: Sendable {
    /// A timer: one of the state machines' timers or a call's client-side deadline.
    package enum Key: Hashable, Sendable {
        /// A connection or provider timer.
        case engine(EngineTimer)
        /// The `timeout:` of the outgoing call with this correlation id.
        case callDeadline(String)
    }

    private struct Entry: Sendable {
        var deadline: Duration
        var sequence: UInt64
        var key: Key

        func precedes(_ other: Entry) -> Bool {
            (deadline, sequence) < (other.deadline, other.sequence)
        }
    }

    /// The live entry of each armed key.
    private var armed: [Key: Entry] = [:]
    /// Min-heap of entries; an entry whose sequence no longer matches `armed` is stale.
    private var heap: [Entry] = []
    private var sequence: UInt64 = 0

    /// Creates an empty schedule.
    package init() {}

    /// Arms (or re-arms) `key` to fire at `deadline`.
    package mutating func arm(_ key: Key, at deadline: Duration) {
        sequence += 1
        let entry = Entry(deadline: deadline, sequence: sequence, key: key)
        armed[key] = entry
        push(entry)
        // Re-arming leaves stale entries behind; rebuild before they dominate the heap.
        if heap.count > 64, heap.count > 2 * armed.count { rebuild() }
    }

    /// Disarms `key` and returns the deadline it had (`nil` when it was not armed).
    @discardableResult
    package mutating func cancel(_ key: Key) -> Duration? {
        armed.removeValue(forKey: key)?.deadline
    }

    /// Disarms every timer.
    package mutating func cancelAll() {
        armed.removeAll()
        heap.removeAll()
    }

    /// The armed timers.
    package var keys: Set<Key> { Set(armed.keys) }

    /// The number of armed timers.
    package var count: Int { armed.count }

    /// The earliest deadline, if any timer is armed.
    package mutating func nextDeadline() -> Duration? {
        dropStaleTop()
        return heap.first?.deadline
    }

    /// Removes and returns the timers due at `now`, earliest first (armed first on a tie).
    package mutating func takeDue(at now: Duration) -> [Key] {
        var due: [Key] = []
        while true {
            dropStaleTop()
            guard let top = heap.first, top.deadline <= now else { return due }
            popTop()
            armed[top.key] = nil
            due.append(top.key)
        }
    }

    // MARK: Heap

    private func isLive(_ entry: Entry) -> Bool {
        armed[entry.key]?.sequence == entry.sequence
    }

    private mutating func dropStaleTop() {
        while let top = heap.first, !isLive(top) { popTop() }
    }

    private mutating func rebuild() {
        heap = armed.values.sorted { $0.precedes($1) }
    }

    private mutating func push(_ entry: Entry) {
        heap.append(entry)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].precedes(heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func popTop() {
        let last = heap.removeLast()
        guard !heap.isEmpty else { return }
        heap[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < heap.count, heap[left].precedes(heap[smallest]) { smallest = left }
            if right < heap.count, heap[right].precedes(heap[smallest]) { smallest = right }
            guard smallest != parent else { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
