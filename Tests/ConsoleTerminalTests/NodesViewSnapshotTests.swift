import ConsoleCore
import ConsoleTerminal
import DeepstreamProtocol
import Testing

/// Snapshots of the Nodes view of a three-node cluster: a leader, a node with a stale registry entry
/// (checksum mismatch and bounced calls), and a node gone silent.
@Suite("Nodes view snapshots")
struct NodesViewSnapshotTests {
    static func state(columns: Int, rows: Int) -> ConsoleState {
        var state = ConsoleState(
            configuration: ConsoleConfiguration(url: "redis://127.0.0.1:6379 (cluster bus, read-only: cross-node calls only)", user: "console", embeddedBroker: true),
            columns: columns, rows: rows)
        func node(_ name: String, _ peer: UInt64, status: Int, alive: Bool = true, score: Double, names: [String],
                  checksum: Int64? = nil, mismatch: Bool = false, bounces: [String: Int] = [:]) -> ClusterNodeInfo {
            ClusterNodeInfo(
                name: name, peer: PeerID(peer), isAlive: alive, lastStatus: ViewFixture.at(status), lastSeen: ViewFixture.at(status),
                silentSince: alive ? nil : ViewFixture.at(status + 6000), leaderScore: score, role: "deepstream",
                providedNames: alive ? names : [], lastChecksum: checksum, checksumMismatch: mismatch, bounces: bounces)
        }
        let actions: [ConsoleAction] = [
            .cluster(.bus(.subscribed, redis: "127.0.0.1:6379", at: ViewFixture.at(0))),
            .cluster(.node(node("node-1", 1, status: 10_000, score: 0.957, names: ["add-two-numbers", "only-1"], checksum: 2_862_723_821), leader: "node-1", at: ViewFixture.at(10_000))),
            .cluster(.node(node("node-2", 2, status: 10_000, score: 0.412, names: ["flip"], checksum: 99, mismatch: true, bounces: ["flip": 8]), leader: "node-1", at: ViewFixture.at(10_000))),
            .cluster(.node(node("node-3", 3, status: 3_000, alive: false, score: 0.3, names: []), leader: "node-1", at: ViewFixture.at(9_100))),
            .tick(ViewFixture.at(12_000)),
            .key(.character("N")),
        ]
        for action in actions { _ = reduce(&state, action) }
        return state
    }

    @Test("120×24: table, warnings, the selected node's providers, footer; the bus state on the status line")
    func wide() {
        let buffer = ViewFixture.render(Self.state(columns: 120, rows: 24), columns: 120, rows: 24)
        #expect(buffer.textSnapshot() == """
            ┌─ Nodes · 3 (2 alive) · leader node-1 · bus 127.0.0.1:6379 subscribed · Esc closes ───────────────────────────────────┐
            │   NODE (★ leader) STATE                        LAST STATUS ROLE         SCORE  RPCS PROVIDES                         │
            │ ▸ ★ node-1        alive                        16:00:10    deepstream   0.957     2 add-two-numbers, only-1          │
            │     node-2        alive                        16:00:10    deepstream   0.412     1 flip                             │
            │     ⚠ checksum mismatch: its CHECKSUM 99 does not match the 1 name seen on the bus (started after the node, or its…  │
            │     ⚠ registered for flip but answered NO_RPC_PROVIDER 8×: stale registry entry?                                     │
            │     node-3        gone, silent since 16:00:03  16:00:03    deepstream   0.300     0 -                                │
            │                                                                                                                      │
            │ node-1 · #1 in the Calls and Providers panes                                                                         │
            │   state: alive · last STATUS 16:00:10 (2 s ago) · leader (highest leaderScore) · provider checksum 2862723821        │
            │   (matches)                                                                                                          │
            │   provides 2: add-two-numbers, only-1                                                                                │
            │                                                                                                                      │
            │                                                                                                                      │
            │                                                                                                                      │
            │                                                                                                                      │
            │                                                                                                                      │
            │                                                                                                                      │
            │                                                                                                                      │
            │                                                                                                                      │
            │                                                                                                                      │
            │ Same-node calls never cross the bus: Calls shows cross-node calls only · j/k select · ? help                         │
            └──────────────────────────────────────────────────────────────────────────────────────────────────────────────────────┘
             BUS redis://127.0.0.1:6379 (cluster bus, read-only: cross-node call │ 0.0 calls/s │ 0 in flight │ 0 errors │ 0 dropped
            """)
    }

    @Test("80×24 keeps node, state, last STATUS and the warnings")
    func narrow() {
        let text = ViewFixture.render(Self.state(columns: 80, rows: 24), columns: 80, rows: 24).textSnapshot()
        #expect(text.contains("★ node-1"))
        #expect(text.contains("gone, silent since 16:00:03"))
        #expect(text.contains("last STATUS 16:00:10 (2 s ago)"))
        #expect(text.contains("⚠ registered for flip"))
    }
}
