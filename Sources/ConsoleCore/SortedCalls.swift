/// The Calls pane sorted by name or latency (`s`): a snapshot of the matching calls' sequence
/// numbers taken when the order was chosen (or the filter changed), so rows do not jump while new
/// calls arrive; time order is the live log itself (no snapshot).
package struct SortedCalls: Hashable, Sendable {
    /// A sort order other than time.
    package enum Order: String, Hashable, Sendable {
        /// By RPC name (then time).
        case name
        /// Slowest first by total latency; calls still open last.
        case latency
    }

    /// The order.
    package let order: Order
    /// The calls' sequence numbers in display order.
    package private(set) var sequences: [Int]
    /// The selected index into ``sequences``.
    package private(set) var selection = 0
    /// The first index shown.
    package private(set) var top = 0

    /// Sorts the calls of `log` that pass `matches`.
    package init(order: Order, log: CallLog, matching matches: (CallRecord) -> Bool) {
        self.order = order
        var records: [CallRecord] = []
        var sequence = log.firstSequence
        while sequence < log.nextSequence {
            if let record = log[sequence: sequence], matches(record) { records.append(record) }
            sequence += 1
        }
        switch order {
        case .name:
            records.sort { ($0.name, $0.sequence) < ($1.name, $1.sequence) }
        case .latency:
            records.sort { lhs, rhs in
                switch (lhs.totalLatency, rhs.totalLatency) {
                case let (left?, right?): return left != right ? left > right : lhs.sequence < rhs.sequence
                case (.some, nil): return true
                case (nil, .some): return false
                case (nil, nil): return lhs.sequence < rhs.sequence
                }
            }
        }
        sequences = records.map(\.sequence)
    }

    /// The selected call's sequence number.
    package var selectedSequence: Int? { sequences.indices.contains(selection) ? sequences[selection] : nil }

    /// The sequence numbers of the rows a list `height` rows tall shows.
    package func visible(height: Int) -> ArraySlice<Int> {
        sequences[min(top, sequences.count)..<min(sequences.count, top + max(1, height))]
    }

    /// Moves the selection by `delta` rows in a list `height` rows tall.
    package mutating func move(by delta: Int, height: Int) {
        select(selection + delta, height: height)
    }

    /// Selects row `index` (clamped) and scrolls it into view.
    package mutating func select(_ index: Int, height: Int) {
        selection = max(0, min(sequences.count - 1, index))
        let height = max(1, height)
        if selection < top { top = selection }
        if selection >= top + height { top = selection - height + 1 }
        top = max(0, min(top, max(0, sequences.count - height)))
    }
}
