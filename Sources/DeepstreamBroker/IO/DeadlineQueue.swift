import DeepstreamProtocol

/// The armed ``BrokerTimer``s and their deadlines, earliest first, so the IO shell keeps one NIO
/// scheduled task (for the earliest deadline) instead of one per timer.
///
/// Arming and cancelling are one dictionary write each; the min-heap keeps stale entries (cancelled
/// or re-armed timers) until they reach its top or until a compaction, which runs when stale entries
/// outnumber live ones, so the heap stays within about twice the armed timers.
package struct DeadlineQueue {
    private struct Entry {
        var deadline: Timestamp
        var timer: BrokerTimer
    }

    private var deadlines: [BrokerTimer: Timestamp] = [:]
    private var heap: [Entry] = []

    /// An empty queue.
    package init() {}

    /// Heap entries, stale ones included (for tests of the compaction bound).
    package var storedEntryCount: Int { heap.count }

    /// Armed timers.
    package var count: Int { deadlines.count }

    /// The deadline of `timer`, if armed.
    package func deadline(of timer: BrokerTimer) -> Timestamp? { deadlines[timer] }

    /// Arms `timer` for `deadline`, replacing an earlier arming of the same timer.
    package mutating func arm(_ timer: BrokerTimer, at deadline: Timestamp) {
        deadlines[timer] = deadline
        push(Entry(deadline: deadline, timer: timer))
        if heap.count > 2 * deadlines.count + 64 { compact() }
    }

    /// Forgets `timer` if it is armed.
    package mutating func cancel(_ timer: BrokerTimer) {
        deadlines.removeValue(forKey: timer)
    }

    /// Forgets every timer.
    package mutating func removeAll() {
        deadlines = [:]
        heap = []
    }

    /// The earliest deadline of an armed timer (drops stale entries on the way).
    package mutating func earliest() -> Timestamp? {
        dropStaleTop()
        return heap.first?.deadline
    }

    /// Removes and returns the earliest armed timer whose deadline is not after `now`.
    package mutating func popDue(at now: Timestamp) -> (timer: BrokerTimer, deadline: Timestamp)? {
        dropStaleTop()
        guard let top = heap.first, top.deadline <= now else { return nil }
        popTop()
        deadlines.removeValue(forKey: top.timer)
        return (top.timer, top.deadline)
    }

    private mutating func dropStaleTop() {
        while let top = heap.first, deadlines[top.timer] != top.deadline { popTop() }
    }

    private mutating func compact() {
        heap = deadlines.map { Entry(deadline: $0.value, timer: $0.key) }
        var index = heap.count / 2 - 1
        while index >= 0 {
            siftDown(index)
            index -= 1
        }
    }

    private mutating func push(_ entry: Entry) {
        heap.append(entry)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].deadline < heap[parent].deadline else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func popTop() {
        let last = heap.removeLast()
        guard !heap.isEmpty else { return }
        heap[0] = last
        siftDown(0)
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { return }
            var smallest = left
            if left + 1 < heap.count, heap[left + 1].deadline < heap[left].deadline { smallest = left + 1 }
            guard heap[smallest].deadline < heap[parent].deadline else { return }
            heap.swapAt(smallest, parent)
            parent = smallest
        }
    }
}
