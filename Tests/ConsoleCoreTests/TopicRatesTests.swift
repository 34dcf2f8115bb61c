import ConsoleCore
import DeepstreamProtocol
import Testing

/// Messages per second per topic in proxy mode, driven by the proxy's totals through the reducer.
@Suite("Topic rates")
struct TopicRatesTests {
    @Test func ratesAreTheChangeBetweenSamplesBusiestFirst() {
        var state = makeState(embedded: true)
        #expect(!state.showsTopicRates)
        _ = reduce(&state, .topicCounts([.rpc: 100, .record: 10], at: time(10)))
        #expect(state.showsTopicRates)
        // The first sample has no interval yet: every topic seen so far at 0, so nothing to show.
        #expect(state.topicRates.rates.map(\.topic) == [.record, .rpc])
        #expect(state.topicRates.summary().isEmpty)
        _ = reduce(&state, .topicCounts([.rpc: 2100, .record: 34, .event: 6, .presence: 1], at: time(12)))
        #expect(state.topicRates.rates.map(\.topic) == [.rpc, .record, .event, .presence])
        #expect(state.topicRates.summary() == "RPC 1000/s · RECORD 12.0/s · EVENT 3.0/s")
        #expect(state.topicRates.summary(limit: 4) == "RPC 1000/s · RECORD 12.0/s · EVENT 3.0/s · PRESENCE 0.5/s")
        // Nothing new for a second: all at 0 (ties in topic order), nothing to show.
        _ = reduce(&state, .topicCounts([.rpc: 2100, .record: 34, .event: 6, .presence: 1], at: time(13)))
        #expect(state.topicRates.rates.map(\.topic) == [.event, .record, .rpc, .presence])
        #expect(state.topicRates.summary().isEmpty)
    }

    @Test func aSampleThatDoesNotMoveForwardInTimeDividesByNothing() {
        var rates = TopicRates()
        rates.record([.event: 5], at: time(5))
        rates.record([.event: 50], at: time(5))
        #expect(rates.rates == [TopicRates.Rate(topic: .event, perSecond: 0)])
        #expect(TopicRates().summary().isEmpty)
    }
}
