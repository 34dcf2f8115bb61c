import DeepstreamProtocol
import MockProviders
import Testing

/// Statistical checks over many seeded draws. With n = 10,000 the standard deviation of a proportion
/// near 0.5 is 0.005, so a tolerance of 0.02 is four standard deviations: the seeded run is
/// deterministic anyway, and a broken rate (ignored, inverted, squared) misses by far more.
@Suite("Random rates")
struct RateStatisticsTests {
    private static let draws = 10_000

    private func plans(_ behaviour: ProviderBehaviour, seed: UInt64) -> [ProviderPlan] {
        var generator = SplitMix64(seed: seed)
        return (0..<Self.draws).map { _ in behaviour.plan(for: Fixtures.request(1), at: Fixtures.now, using: &generator) }
    }

    @Test("a reject rate of P rejects about P of the calls", arguments: [0.0, 0.1, 0.5, 0.9])
    func rejectRate(rate: Double) {
        let rejected = plans(ProviderBehaviour(reply: .echo, rejectRate: rate), seed: 42).filter { $0 == .reject }.count
        #expect(abs(Double(rejected) / Double(Self.draws) - rate) < 0.02)
    }

    @Test("reject and error rates compose: errors strike only among accepted calls")
    func combinedRates() {
        let all = plans(ProviderBehaviour(reply: .echo, rejectRate: 0.5, errorRate: 0.2), seed: 7)
        let rejected = all.filter { $0 == .reject }.count
        let errored = all.filter { if case .error = $0 { true } else { false } }.count
        let responded = all.filter { if case .respond = $0 { true } else { false } }.count
        #expect(rejected + errored + responded == Self.draws)
        #expect(abs(Double(rejected) / Double(Self.draws) - 0.5) < 0.02)
        #expect(abs(Double(errored) / Double(Self.draws) - 0.1) < 0.02)
        #expect(abs(Double(errored) / Double(Self.draws - rejected) - 0.2) < 0.02)
    }

    @Test("a delay range draws uniformly within its bounds")
    func delayRange() {
        let all = plans(ProviderBehaviour(reply: .echo, delay: ProviderDelay(milliseconds: 10...50)), seed: 3)
        let ms = all.map { Int($0.delay.components.seconds * 1000 + $0.delay.components.attoseconds / 1_000_000_000_000_000) }
        #expect(ms.min() == 10)
        #expect(ms.max() == 50)
        #expect(Set(ms).count == 41)
        let mean = Double(ms.reduce(0, +)) / Double(ms.count)
        #expect(abs(mean - 30) < 0.5)
    }

    @Test("the same seed gives the same plans; another seed differs")
    func reproducible() {
        let behaviour = ProviderBehaviour(
            reply: .echo, delay: ProviderDelay(milliseconds: 0...100), rejectRate: 0.3, errorRate: 0.3)
        #expect(plans(behaviour, seed: 99) == plans(behaviour, seed: 99))
        #expect(plans(behaviour, seed: 99) != plans(behaviour, seed: 100))
    }
}
