import DeepstreamProtocol

/// The statistics of one RPC name, with a breakdown per provider.
package struct RPCStatisticsRow: Equatable, Sendable {
    /// The RPC name, or ``RPCStatistics/otherName`` for the overflow row.
    package let name: String
    /// Everything counted for the name.
    package private(set) var counts = CallCounts()
    /// Per provider (a user name or `#<peer>`), in order of first appearance; at most
    /// ``RPCStatistics/Limits/providersPerName`` plus one overflow entry named ``RPCStatistics/otherName``.
    package private(set) var providers: [(provider: String, counts: CallCounts)] = []

    /// Creates an empty row.
    package init(name: String) { self.name = name }

    /// Adds one finished call (O(number of providers of this name, which is capped)).
    mutating func record(_ call: FinishedCall, providerLimit: Int) {
        counts.record(call)
        guard let provider = call.provider else { return }
        if let index = providers.firstIndex(where: { $0.provider == provider }) {
            providers[index].counts.record(call)
            return
        }
        let key = providers.count < providerLimit ? provider : RPCStatistics.otherName
        if let index = providers.firstIndex(where: { $0.provider == key }) {
            providers[index].counts.record(call)
        } else {
            var fresh = CallCounts()
            fresh.record(call)
            providers.append((key, fresh))
        }
    }

    mutating func advance(to time: DeepstreamProtocol.Timestamp) {
        counts.advance(to: time)
        for index in providers.indices { providers[index].counts.advance(to: time) }
    }

    /// Equal names, counts and providers.
    package static func == (lhs: RPCStatisticsRow, rhs: RPCStatisticsRow) -> Bool {
        lhs.name == rhs.name && lhs.counts == rhs.counts
            && lhs.providers.map(\.provider) == rhs.providers.map(\.provider)
            && lhs.providers.map(\.counts) == rhs.providers.map(\.counts)
    }
}
