/// Tells a closed standard input from a quiet one after ncurses reports "no key".
///
/// `wget_wch` returns the same ERR for a timeout and for end of file, so a key loop on a closed
/// input would spin. After each ERR the backend polls the descriptor and reports what it saw here.
package struct InputClosureDetector: Sendable {
    /// What polling the input descriptor showed after ncurses returned no key.
    package enum Observation: Hashable, Sendable {
        /// Nothing to read: an ordinary timeout.
        case idle
        /// Bytes are waiting (they arrived after ncurses gave up); not a closure.
        case pending
        /// Readable but no bytes: a read would return end of file, unless bytes were consumed
        /// between the poll and the count. Closed when seen twice in a row.
        case readableButEmpty
        /// Hang-up, error or invalid descriptor.
        case hungUp
    }

    /// Consecutive `readableButEmpty` observations needed to call the input closed.
    package let confirmations: Int
    /// Whether the input has been found closed; stays true.
    package private(set) var isClosed = false
    private var suspicious = 0

    /// A detector needing `confirmations` (at least 1) empty-but-readable polls in a row.
    package init(confirmations: Int = 2) {
        self.confirmations = max(confirmations, 1)
    }

    /// Records one observation and returns whether the input is closed.
    package mutating func observe(_ observation: Observation) -> Bool {
        switch observation {
        case .idle, .pending:
            suspicious = 0
        case .readableButEmpty:
            suspicious += 1
            if suspicious >= confirmations { isClosed = true }
        case .hungUp:
            isClosed = true
        }
        return isClosed
    }

    /// Records that a key arrived.
    package mutating func keyArrived() {
        suspicious = 0
    }
}
