import DeepstreamProtocol

/// Live per-RPC statistics: one row per RPC name with counts by outcome, accept and total latency
/// histograms, a calls-per-second history and a per-provider breakdown.
///
/// Bounded: at most ``Limits/names`` names get their own row; calls of further names go to one row
/// named ``otherName`` and are counted in ``overflowCalls``. Recording a call is O(1) in the number
/// of names (one dictionary look-up) and allocates nothing once the name's row exists.
package struct RPCStatistics: Equatable, Sendable {
    /// Caps on what is tracked.
    package struct Limits: Hashable, Sendable {
        /// Names with a row of their own.
        package var names: Int
        /// Providers with an entry of their own in a name's breakdown.
        package var providersPerName: Int
        /// Creates limits.
        package init(names: Int = 200, providersPerName: Int = 16) {
            self.names = max(1, names)
            self.providersPerName = max(1, providersPerName)
        }
    }

    /// The name of the overflow row (and of a breakdown's overflow entry).
    package static let otherName = "(other)"

    /// The caps.
    package let limits: Limits
    /// The rows, in order of first appearance.
    package private(set) var rows: [RPCStatisticsRow] = []
    private var index: [String: Int] = [:]
    /// Calls counted in the overflow row because the name cap was reached.
    package private(set) var overflowCalls = 0
    /// When counting started (or was last reset), if anything was counted since.
    package private(set) var since: Timestamp?

    /// Creates empty statistics.
    package init(limits: Limits = Limits()) { self.limits = limits }

    /// Adds one finished call.
    package mutating func record(_ call: FinishedCall) {
        if since == nil { since = call.endedAt }
        let slot: Int
        if let existing = index[call.name] {
            slot = existing
        } else if index.count < limits.names {
            slot = rows.count
            rows.append(RPCStatisticsRow(name: call.name))
            index[call.name] = slot
        } else {
            overflowCalls += 1
            if let other = index[Self.otherName] {
                slot = other
            } else {
                slot = rows.count
                rows.append(RPCStatisticsRow(name: Self.otherName))
                index[Self.otherName] = slot
            }
        }
        rows[slot].record(call, providerLimit: limits.providersPerName)
    }

    /// Moves every row's per-second window to `time`.
    package mutating func advance(to time: Timestamp) {
        for slot in rows.indices { rows[slot].advance(to: time) }
    }

    /// The row of `name`, if it has one.
    package func row(named name: String) -> RPCStatisticsRow? { index[name].map { rows[$0] } }

    /// All calls counted.
    package var totalCalls: Int { rows.reduce(0) { $0 + $1.counts.calls } }

    /// Forgets everything.
    package mutating func reset() {
        rows.removeAll()
        index.removeAll()
        overflowCalls = 0
        since = nil
    }
}
