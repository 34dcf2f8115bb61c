import CallStatistics
import DeepstreamProtocol
import Testing

private func at(_ seconds: Double) -> Timestamp { Timestamp(nanoseconds: UInt64(seconds * 1e9)) }

private func finished(
    _ name: String, provider: String? = "alice", outcome: CallOutcomeKind = .ok, acceptMs: Int? = 1,
    totalMs: Int = 10, rerouted: Bool = false, endedAt: Double = 1000
) -> FinishedCall {
    FinishedCall(
        name: name, provider: provider, outcome: outcome, acceptLatency: acceptMs.map { .milliseconds($0) },
        totalLatency: .milliseconds(totalMs), wasRerouted: rerouted, endedAt: at(endedAt)
    )
}

@Suite("RPC statistics")
struct RPCStatisticsTests {
    @Test("Percentiles of 1…100 ms match the hand-computed values within the histogram's 1 % resolution")
    func percentiles() throws {
        var stats = RPCStatistics()
        // Shuffled on purpose: order must not matter.
        for ms in (1...100).reversed() { stats.record(finished("add", totalMs: ms)) }
        let total = try #require(stats.row(named: "add")?.counts.totalLatency.summary)
        // Nearest-rank: p50 of 1…100 is 50, p90 is 90, p99 is 99, max 100.
        for (measured, exact) in [(total.p50, 50.0), (total.p90, 90.0), (total.p99, 99.0), (total.max, 100.0)] {
            #expect(abs(measured - exact) <= exact * 0.01, "\(measured) vs \(exact)")
        }
    }

    @Test("A skewed distribution: 99 fast calls and one slow one")
    func skewed() throws {
        var stats = RPCStatistics()
        for _ in 0..<99 { stats.record(finished("search", totalMs: 2)) }
        stats.record(finished("search", totalMs: 5000))
        let total = try #require(stats.row(named: "search")?.counts.totalLatency.summary)
        #expect(abs(total.p50 - 2) <= 0.02)
        #expect(abs(total.p99 - 2) <= 0.02)
        #expect(abs(total.max - 5000) <= 50)
    }

    @Test("Outcomes are counted by kind; rerouted calls are counted apart from their outcome")
    func outcomes() throws {
        var stats = RPCStatistics()
        stats.record(finished("pay", outcome: .ok))
        stats.record(finished("pay", outcome: .ok, rerouted: true))
        stats.record(finished("pay", outcome: .requestError))
        stats.record(finished("pay", provider: nil, outcome: .noProvider, acceptMs: nil, rerouted: true))
        stats.record(finished("pay", outcome: .acceptTimeout, acceptMs: nil))
        stats.record(finished("pay", outcome: .responseTimeout))
        stats.record(finished("pay", provider: nil, outcome: .denied, acceptMs: nil))
        let counts = try #require(stats.row(named: "pay")?.counts)
        #expect(counts.calls == 7)
        #expect(counts.ok == 2)
        #expect(counts.failed == 5)
        #expect(counts.errors(.requestError) == 1)
        #expect(counts.errors(.noProvider) == 1)
        #expect(counts.errors(.acceptTimeout) == 1)
        #expect(counts.errors(.responseTimeout) == 1)
        #expect(counts.errors(.denied) == 1)
        #expect(counts.errors(.ok) == 0)
        #expect(counts.rerouted == 2)
        #expect(counts.acceptLatency.count == 4)
        #expect(counts.totalLatency.count == 7)
    }

    @Test("Per-provider breakdown, capped with an (other) entry")
    func providers() throws {
        var stats = RPCStatistics(limits: .init(names: 10, providersPerName: 2))
        stats.record(finished("echo", provider: "alice", totalMs: 1))
        stats.record(finished("echo", provider: "bob", totalMs: 2))
        stats.record(finished("echo", provider: "carol", totalMs: 3))
        stats.record(finished("echo", provider: "dave", totalMs: 4))
        stats.record(finished("echo", provider: "alice", totalMs: 5))
        let row = try #require(stats.row(named: "echo"))
        #expect(row.providers.map(\.provider) == ["alice", "bob", RPCStatistics.otherName])
        #expect(row.providers.map(\.counts.calls) == [2, 1, 2])
        #expect(row.counts.calls == 5)
    }

    @Test("Names beyond the cap go to the (other) row and are counted")
    func nameCap() throws {
        var stats = RPCStatistics(limits: .init(names: 3))
        for name in ["a", "b", "c", "d", "e", "a"] { stats.record(finished(name)) }
        #expect(stats.rows.map(\.name) == ["a", "b", "c", RPCStatistics.otherName])
        #expect(stats.row(named: RPCStatistics.otherName)?.counts.calls == 2)
        #expect(stats.overflowCalls == 2)
        #expect(stats.row(named: "a")?.counts.calls == 2)
        #expect(stats.totalCalls == 6)
    }

    @Test("Calls per second: the last 5 seconds, decaying when nothing ends; a minute of history")
    func rate() throws {
        var stats = RPCStatistics()
        for second in 0..<10 {
            for _ in 0..<(second + 1) { stats.record(finished("tick", endedAt: 100 + Double(second) + 0.5)) }
        }
        var row = try #require(stats.row(named: "tick"))
        // Seconds 105…109 had 6+7+8+9+10 = 40 calls.
        #expect(row.counts.callsPerSecond == 8)
        let history = row.counts.rate.perSecondCounts
        #expect(history.count == 60)
        #expect(Array(history.suffix(10)) == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
        stats.advance(to: at(112.5))
        row = try #require(stats.row(named: "tick"))
        // Seconds 108…112: 9 + 10 + 0 + 0 + 0.
        #expect(row.counts.callsPerSecond == 19.0 / 5)
    }

    @Test("Reset forgets every row")
    func reset() {
        var stats = RPCStatistics()
        stats.record(finished("a"))
        stats.reset()
        #expect(stats.rows.isEmpty)
        #expect(stats.totalCalls == 0)
        #expect(stats.since == nil)
    }

    @Test("Distribution buckets add up to the number of calls")
    func distribution() throws {
        var stats = RPCStatistics()
        for ms in [1, 1, 2, 4, 8, 16, 32, 64, 128, 1000] { stats.record(finished("d", totalMs: ms)) }
        let buckets = try #require(stats.row(named: "d")?.counts.totalLatency.distribution(bucketCount: 8))
        #expect(buckets.count == 8)
        #expect(buckets.map(\.count).reduce(0, +) == 10)
        // Eight equal steps on a log scale from 1 to 1000 ms: bounds 2.37, 5.62, 13.3, 31.6, 75, 178, 422, 1000.
        #expect(buckets.map(\.count) == [3, 1, 1, 1, 2, 1, 0, 1])
        #expect(abs((buckets.last?.upToMilliseconds ?? 0) - 1000) < 10)
    }

    @Test("JSON rows carry the documented fields")
    func json() throws {
        var stats = RPCStatistics()
        stats.record(finished("pay", provider: "alice", outcome: .ok, acceptMs: 2, totalMs: 10))
        stats.record(finished("pay", provider: "alice", outcome: .requestError, acceptMs: 2, totalMs: 20))
        let text = stats.jsonRows.jsonText
        let value = try JSONValue(parsing: text)
        guard case .array(let rows) = value, case .object(let row)? = rows.first else {
            Issue.record("not an array of objects: \(text)")
            return
        }
        #expect(row["name"] == "pay")
        #expect(row["calls"] == 2)
        #expect(row["ok"] == 1)
        #expect(row["errors"] == ["REQUEST_ERROR": 1])
        guard case .object(let total)? = row["totalMs"] else {
            Issue.record("no totalMs in \(text)")
            return
        }
        #expect(Set(total.members.map(\.key)) == ["p50", "p90", "p99", "max"])
        #expect(abs((total["max"]?.doubleValue ?? 0) - 20) <= 0.2)
        guard case .array(let providers)? = row["providers"], case .object(let alice)? = providers.first else {
            Issue.record("no providers in \(text)")
            return
        }
        #expect(alice["provider"] == "alice")
        #expect(alice["calls"] == 2)
    }
}
