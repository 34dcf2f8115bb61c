import DeepstreamProtocol

/// A bounded, ordered log of calls: a ring buffer indexed by ``CallKey``.
///
/// Each call gets a sequence number when it is first seen; sequence numbers never repeat, so a
/// selection held as a sequence number stays valid while older calls are evicted. Recording a step
/// of a known call is O(1) (dictionary lookup plus an in-place update of its slot). When the log is
/// full, the oldest call is evicted and counted in ``droppedCount``.
///
/// The payload bytes the calls hold are bounded too (``payloadBudget``, decision 62): when a new
/// payload would take ``payloadBytes`` over the budget, the payloads of the oldest calls are
/// released first (FIFO, like the ring) until it fits; those calls stay in the log with their sizes
/// and are counted in ``releasedPayloadCalls``. A payload larger than the
/// whole budget is not kept at all. Calls older than the release cursor keep no new payloads.
package struct CallLog: Sendable {
    /// The most calls held at once.
    package let capacity: Int
    /// The default capacity.
    package static let defaultCapacity = 100_000

    private var slots: [CallRecord] = []
    private var index = CallIndex()
    /// RPC and user names seen, so that every record of an RPC shares one string (a name longer than
    /// 15 UTF-8 bytes is a heap allocation per event otherwise). Bounded: cleared when full.
    private var names: Set<String> = []
    /// The most names ``names`` holds.
    static let internLimit = 4_096
    /// The sequence number the next new call gets (also: how many calls were ever recorded).
    package private(set) var nextSequence = 0
    /// How many calls were evicted to make room.
    package private(set) var droppedCount = 0

    /// The most payload bytes (request and response text) the log's calls hold at once.
    package let payloadBudget: Int
    /// The default payload budget: 64 MiB.
    package static let defaultPayloadBudget = 64 << 20
    /// The payload bytes the held calls hold now (never above ``payloadBudget``).
    package private(set) var payloadBytes = 0
    /// How many calls had payloads released for the budget (each call counted once, ever).
    package private(set) var releasedPayloadCalls = 0
    /// Calls with a lower sequence number hold no payload bytes (they were released, oldest first).
    private var releaseCursor = 0

    /// Creates an empty log holding at most `capacity` calls (at least 1) and at most
    /// `payloadBudget` payload bytes (at least 0).
    package init(capacity: Int = CallLog.defaultCapacity, payloadBudget: Int = CallLog.defaultPayloadBudget) {
        self.capacity = max(1, capacity)
        self.payloadBudget = max(0, payloadBudget)
        // Room for every slot at once: growing by doubling would copy the records and leave up to
        // half the array unused. Pages not yet written cost address space, not memory.
        slots.reserveCapacity(self.capacity)
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
        slot(of: key, hash: key.hashValue).map { slots[$0] }
    }

    /// The sequence number of the call with this key, if it is still held.
    package func sequence(of key: CallKey) -> Int? {
        slot(of: key, hash: key.hashValue).map { slots[$0].sequence }
    }

    private func slot(of key: CallKey, hash: Int) -> Int? {
        index.slot(hash: hash) { slots[$0].hasKey(key) }
    }

    /// `name` as the one string the log keeps for it.
    private mutating func interned(_ name: String) -> String {
        // Up to 15 UTF-8 bytes a String is stored inline: nothing to share.
        guard name.utf8.count > 15 else { return name }
        let (inserted, member) = names.insert(name)
        if inserted, names.count > Self.internLimit {
            names.removeAll(keepingCapacity: true)
            names.insert(name)
        }
        return member
    }

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
    ///
    /// When the step's payload takes the log over its budget, older calls' payloads are released;
    /// `released`, if given, is called for each of those (not for this call) with the record before
    /// and after, so a caller that counts filter matches can adjust (payload text no longer matches);
    /// without it no record is copied.
    @discardableResult
    package mutating func record(
        _ key: CallKey, name: String, step: CallStep, at: Timestamp,
        released: ((_ before: CallRecord, _ after: CallRecord) -> Void)? = nil
    ) -> RecordOutcome {
        let hash = key.hashValue
        if let slot = slot(of: key, hash: hash) {
            let previous = slots[slot].status
            if step.carriesPayload {
                let before = slots[slot].heldPayloadBytes
                slots[slot].apply(step, at: at)
                admitPayload(at: slot, heldBefore: before, released: released)
            } else {
                slots[slot].apply(step, at: at)
            }
            return RecordOutcome(isNew: false, previousStatus: previous, record: slots[slot], evicted: nil)
        }
        var record = CallRecord(key: key, sequence: nextSequence, name: interned(name), at: at)
        record.apply(step, at: at)
        var evicted: CallRecord?
        let slot = nextSequence % capacity
        if slots.count < capacity {
            slots.append(record)
        } else {
            evicted = slots[slot]
            index.remove(slot: slot, hash: slots[slot].key.hashValue)
            // An evicted call's payload bytes leave the budget with it.
            payloadBytes -= slots[slot].heldPayloadBytes
            slots[slot] = record
            droppedCount += 1
        }
        index.insert(slot: slot, hash: hash)
        nextSequence += 1
        guard step.carriesPayload else {
            return RecordOutcome(isNew: true, previousStatus: nil, record: record, evicted: evicted)
        }
        admitPayload(at: slot, heldBefore: 0, released: released)
        return RecordOutcome(isNew: true, previousStatus: nil, record: slots[slot], evicted: evicted)
    }

    /// Counts the payload bytes the record in `slot` gained and releases payloads until the log is
    /// within its budget: an oversized payload of this call first, then the oldest calls' payloads.
    private mutating func admitPayload(
        at slot: Int, heldBefore: Int, released: ((_ before: CallRecord, _ after: CallRecord) -> Void)?
    ) {
        payloadBytes += slots[slot].heldPayloadBytes - heldBefore
        let sequence = slots[slot].sequence
        guard payloadBytes > payloadBudget || sequence < releaseCursor else { return }
        // A call the cursor passed keeps nothing new (older payloads go first); one payload larger
        // than the whole budget is never kept.
        release(slot: slot, largerThan: sequence < releaseCursor ? -1 : payloadBudget)
        var cursor = max(releaseCursor, firstSequence)
        while payloadBytes > payloadBudget, cursor < nextSequence {
            let oldest = cursor % capacity
            if oldest == slot {
                release(slot: slot, largerThan: -1)
            } else if slots[oldest].heldPayloadBytes > 0 {
                if let released {
                    let before = slots[oldest]
                    release(slot: oldest, largerThan: -1)
                    released(before, slots[oldest])
                } else {
                    release(slot: oldest, largerThan: -1)
                }
            }
            cursor += 1
        }
        releaseCursor = max(releaseCursor, cursor)
    }

    /// Marks payloads of the held call `key` as not kept with their recorded sizes (`dsconsole open`
    /// of a recording whose console had released them). They are not counted as released here: this
    /// log's budget did not drop them. Nothing happens when the log does not hold the call.
    package mutating func markPayloadsNotKept(_ key: CallKey, request: Int?, response: Int?) {
        guard let slot = slot(of: key, hash: key.hashValue) else { return }
        payloadBytes -= slots[slot].markPayloadsNotKept(request: request, response: response)
    }

    /// Releases the payloads of the record in `slot` larger than `limit` (-1: all) and counts them.
    private mutating func release(slot: Int, largerThan limit: Int) {
        let wasCounted = slots[slot].wasCountedAsReleased
        let freed = slots[slot].releasePayloads(largerThan: limit)
        guard freed > 0 else { return }
        payloadBytes -= freed
        if !wasCounted { releasedPayloadCalls += 1 }
    }

    /// Updates a held call in place (no-op if it was evicted).
    package mutating func update(_ key: CallKey, _ body: (inout CallRecord) -> Void) {
        guard let slot = slot(of: key, hash: key.hashValue) else { return }
        body(&slots[slot])
    }

    /// Sets the requestor's user name of a held call (interned; no-op if it was evicted).
    package mutating func setRequestorName(_ name: String, of key: CallKey) {
        guard let slot = slot(of: key, hash: key.hashValue) else { return }
        slots[slot].requestorName = interned(name)
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

extension CallStep {
    /// Whether the step sets a payload of the call (the only steps that change its held bytes).
    fileprivate var carriesPayload: Bool {
        switch self {
        case .requested, .responded, .errored: true
        default: false
        }
    }
}
