import ConsoleCore
import ConsoleTerminal
import DeepstreamProtocol
import Testing

/// Snapshots of the Stats view drawn from the fixture's calls plus a few more of `math.add`.
@Suite("Stats view snapshots")
struct StatsViewSnapshotTests {
    static func state(columns: Int, rows: Int) -> ConsoleState {
        var state = ViewFixture.state(columns: columns, rows: rows)
        for (index, ms) in [2, 3, 4, 40].enumerated() {
            let start = 5000 + index * 100
            let cid = "m\(index)"
            for (step, offset) in [(CallStep.requested(data: "1"), 0), (.routed(to: PeerID(1)), 0),
                                   (.accepted(by: PeerID(1)), 1), (.responded(data: "2"), ms)] {
                _ = reduce(&state, ViewFixture.call(cid, "math.add", peer: 2, step, at: start + offset))
            }
        }
        _ = reduce(&state, .tick(ViewFixture.at(6000)))
        _ = reduce(&state, .key(.escape))
        _ = reduce(&state, .key(.tab))
        _ = reduce(&state, .key(.character("S")))
        return state
    }

    @Test("100×30: table with latencies, the selected RPC's distribution, footer")
    func wide() {
        let buffer = ViewFixture.render(Self.state(columns: 100, rows: 30), columns: 100, rows: 30)
        #expect(buffer.textSnapshot() == """
            ┌─ Stats · 6 calls since 16:00:01.004 · Esc closes ────────────────────────────────────────────────┐
            │   NAME            CALLS↓      /S       OK REQ-ERR NO-PROV      p50      p99 LAST MINUTE          │
            │ ▸ math.add             5     0.8        5       0       0   4.01ms   40.0ms                   ▂█ │
            │   nobody               1     0.2        0       0       1   1.00ms   1.00ms                   █  │
            │                                                                                                  │
            │ Total latency of math.add (5 calls)                                                              │
            │   ≤ 2.91ms ████████████████ 1                                                                    │
            │   ≤ 4.23ms ██████████████████████████████████████████████████ 3                                  │
            │   ≤ 6.16ms  0                                                                                    │
            │   ≤ 8.96ms  0                                                                                    │
            │   ≤ 13.0ms  0                                                                                    │
            │   ≤ 18.9ms  0                                                                                    │
            │   ≤ 27.6ms  0                                                                                    │
            │   ≤ 40.1ms ████████████████ 1                                                                    │
            │                                                                                                  │
            │                                                                                                  │
            │                                                                                                  │
            │                                                                                                  │
            │                                                                                                  │
            │                                                                                                  │
            │                                                                                                  │
            │                                                                                                  │
            │                                                                                                  │
            │                                                                                                  │
            │                                                                                                  │
            │                                                                                                  │
            │                                                                                                  │
            │ / filter · ←/→ sort · o reverse · Enter per provider · x export JSON · X reset · ? help          │
            └──────────────────────────────────────────────────────────────────────────────────────────────────┘
             OPEN ws://127.0.0.1:6020 console                 │ 1.2 calls/s │ 1 in flight │ 1 error │ 0 dropped
            """)
    }

    @Test("80×24 keeps names, calls and p99")
    func narrow() {
        let buffer = ViewFixture.render(Self.state(columns: 80, rows: 24), columns: 80, rows: 24)
        let text = buffer.textSnapshot()
        #expect(text.contains("math.add"))
        #expect(text.contains("CALLS↓"))
        #expect(text.contains("p99"))
    }
}
