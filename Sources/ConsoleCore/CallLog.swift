import DeepstreamProtocol

/// A bounded, ordered log of calls: a ring buffer indexed by ``CallKey``.
///
/// Each call gets a sequence number when it is first seen; sequence numbers never repeat, so a
/// selection held as a sequence number stays valid while older calls are evicted. Recording a step
/// of a known call is O(1) (dictionary lookup plus an in-place update of its slot). When the log is
/// full, the oldest call is evicted and counted in ``droppedCount``.
package struct CallLog: Sendable {
    /// The most calls held at once.
    package let capacity: Int
    /// The default capacity.
    package static let defaultCapacity = 100_000

    private var slots: [CallRecord] = []
    private var index: [CallKey: Int] = [:]
    /// The sequence number the next new call gets (also: how many calls were ever recorded).
    package private(set) var nextSequence = 0
    /// How many calls were evicted to make room.
    package private(set) var droppedCount = 0

    /// Creates an empty log holding at most `capacity` calls (at least 1).
    package init(capacity: Int = CallLog.defaultCapacity) {
        self.capacity = max(1, capacity)
    }

    /// How many calls the log holds.
    package var count: Int { slots.count }

    /// Whether the log is empty.
    package var isEmpty: Bool { slots.isEmpty }

    /// The sequence number of the oldest call held (equal to ``nextSequence`` when empty).
    package var firstSequence: Int { nextSequence - slots.count }

    /// The sequence number of the newest call held, nil when empty.
    package var lastSequence: Int? { slots.isEmpty ? nil : nextSequence - 1 }

    /// The call with this sequence number, if it is still held.
    package subscript(sequence sequence: Int) -> CallRecord? {
        guard sequence >= firstSequence, sequence < nextSequence else { return nil }
        return slots[sequence % capacity]
    }

    /// The call with this key, if it is still held.
    package subscript(key: CallKey) -> CallRecord? {
        index[key].flatMap { self[sequence: $0] }
    }

    /// The sequence number of the call with this key, if it is still held.
    package func sequence(of key: CallKey) -> Int? { index[key] }

    /// The result of recording an event.
    package struct RecordOutcome: Hashable, Sendable {
        /// Whether the event created a new call.
        package var isNew: Bool
        /// The call's status before the event (nil for a new call).
        package var previousStatus: CallStatus?
        /// The call after the event.
        package var record: CallRecord
        /// The call evicted to make room, if any.
        package var evicted: CallRecord?
    }

    /// Records a step of a call, creating the call if the log does not hold it.
    @discardableResult
    package mutating func record(_ key: CallKey, name: String, step: CallStep, at: Timestamp) -> RecordOutcome {
        if let sequence = index[key] {
            let slot = sequence % capacity
            let previous = slots[slot].status
            slots[slot].apply(step, at: at)
            return RecordOutcome(isNew: false, previousStatus: previous, record: slots[slot], evicted: nil)
        }
        var record = CallRecord(key: key, sequence: nextSequence, name: name, at: at)
        record.apply(step, at: at)
        var evicted: CallRecord?
        if slots.count < capacity {
            slots.append(record)
        } else {
            let slot = nextSequence % capacity
            evicted = slots[slot]
            index[slots[slot].key] = nil
            slots[slot] = record
            droppedCount += 1
        }
        index[key] = nextSequence
        nextSequence += 1
        return RecordOutcome(isNew: true, previousStatus: nil, record: record, evicted: evicted)
    }

    /// Updates a held call in place (no-op if it was evicted).
    package mutating func update(_ key: CallKey, _ body: (inout CallRecord) -> Void) {
        guard let sequence = index[key] else { return }
        body(&slots[sequence % capacity])
    }

    /// The sequence number of the first call after `sequence` (exclusive) that passes `filter`,
    /// searching no further than `limit` (exclusive; defaults to the end).
    package func nextSequence(after sequence: Int, limit: Int? = nil, where filter: (CallRecord) -> Bool) -> Int? {
        let end = min(limit ?? nextSequence, nextSequence)
        var candidate = max(sequence + 1, firstSequence)
        while candidate < end {
            if filter(slots[candidate % capacity]) { return candidate }
            candidate += 1
        }
        return nil
    }

    /// The sequence number of the last call before `sequence` (exclusive) that passes `filter`.
    package func previousSequence(before sequence: Int, where filter: (CallRecord) -> Bool) -> Int? {
        var candidate = min(sequence, nextSequence) - 1
        while candidate >= firstSequence {
            if filter(slots[candidate % capacity]) { return candidate }
            candidate -= 1
        }
        return nil
    }
}
