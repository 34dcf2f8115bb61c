import DeepstreamProtocol

/// Messages per second per topic in proxy mode (records, events, presence, RPC, …), from the proxy's
/// running totals sampled about once a second: the status line shows the busiest topics so the user
/// sees that the applications behind the proxy are alive (pure; time comes with each sample).
package struct TopicRates: Hashable, Sendable {
    /// One topic's rate.
    package struct Rate: Hashable, Sendable {
        /// The topic.
        package var topic: Topic
        /// Messages per second over the latest interval (both directions).
        package var perSecond: Double

        /// Creates a rate.
        package init(topic: Topic, perSecond: Double) {
            self.topic = topic
            self.perSecond = perSecond
        }
    }

    /// Rates of the latest interval, busiest first (ties by topic number); topics never seen are left out.
    package private(set) var rates: [Rate] = []
    private var previous: [Topic: Int] = [:]
    private var previousAt: Timestamp?

    /// Creates rates with no sample yet.
    package init() {}

    /// Takes the totals at `at`; the rates are the change since the previous sample.
    package mutating func record(_ totals: [Topic: Int], at: Timestamp) {
        defer {
            previous = totals
            previousAt = at
        }
        guard let previousAt, at > previousAt else {
            rates = totals.keys.sorted { $0.rawValue < $1.rawValue }.map { Rate(topic: $0, perSecond: 0) }
            return
        }
        let seconds = Double(at.nanoseconds - previousAt.nanoseconds) / 1e9
        rates = totals.map { topic, total in Rate(topic: topic, perSecond: Double(max(0, total - previous[topic, default: 0])) / seconds) }
            .sorted { $0.perSecond != $1.perSecond ? $0.perSecond > $1.perSecond : $0.topic.rawValue < $1.topic.rawValue }
    }

    /// `RPC 2140/s · RECORD 12.0/s · EVENT 3.0/s`: the busiest `limit` topics that had messages in the
    /// latest interval; empty when none had.
    package func summary(limit: Int = 3) -> String {
        rates.prefix(limit).filter { $0.perSecond > 0 }.map { "\($0.topic.name) \(DisplayFormat.rate($0.perSecond))/s" }
            .joined(separator: " · ")
    }
}
