import ConsoleCore
import DeepstreamProtocol
import Testing

/// The Nodes view (`N`, cluster console): node states from the cluster feed, health over time,
/// warnings, keys, and the bus state on the status line.
@Suite("Nodes view")
struct NodesViewTests {
    static func node(
        _ name: String, peer: UInt64, status: Timestamp?, alive: Bool = true, score: Double? = 0.5,
        names: [String] = [], checksum: Int64? = nil, mismatch: Bool = false, bounces: [String: Int] = [:]
    ) -> ClusterNodeInfo {
        ClusterNodeInfo(
            name: name, peer: PeerID(peer), isAlive: alive, lastStatus: status, lastSeen: status ?? time(0),
            silentSince: alive ? nil : time(20), leaderScore: score, role: status == nil ? nil : "deepstream",
            providedNames: names, lastChecksum: checksum, checksumMismatch: mismatch, bounces: bounces)
    }

    static func clusterState() -> ConsoleState {
        var state = makeState(embedded: true, columns: 140)
        _ = reduce(&state, .cluster(.bus(.connecting(attempt: 1), redis: "127.0.0.1:6379", at: time(0))))
        _ = reduce(&state, .cluster(.bus(.subscribed, redis: "127.0.0.1:6379", at: time(0))))
        _ = reduce(&state, .cluster(.node(node("node-2", peer: 2, status: time(1), score: 0.4, names: ["b"]), leader: "node-2", at: time(1))))
        _ = reduce(&state, .cluster(.node(node("node-1", peer: 1, status: time(1), score: 0.9, names: ["a", "b"]), leader: "node-1", at: time(1))))
        return state
    }

    @Test("N outside a cluster console only explains itself")
    func notACluster() {
        var state = makeState()
        press(&state, .character("N"))
        #expect(state.overlay == nil)
        #expect(state.notice?.text.contains("dsconsole cluster") == true)
        #expect(state.connectionLabel == "CLOSED")
        #expect(state.callsPaneNote == nil)
    }

    @Test("nodes are listed alive first, by name, with the leader, providers and the selection")
    func listsNodes() throws {
        var state = Self.clusterState()
        press(&state, .character("N"))
        #expect(state.overlay == .nodes)
        #expect(state.nodesView.sortedNodes.map(\.name) == ["node-1", "node-2"])
        #expect(state.nodesView.leader == "node-1")
        #expect(state.nodesView.selectedName == "node-2")  // the first node that arrived stays selected
        _ = reduce(&state, .tick(time(2)))
        let text = state.nodesLines.map(\.description)
        let row1 = try #require(text.first { $0.contains("node-1") })
        #expect(row1.contains("★ node-1") && row1.contains("alive") && row1.contains("deepstream") && row1.contains("0.900"))
        #expect(row1.contains("a, b"))
        let row2 = try #require(text.first { $0.contains("node-2") })
        #expect(row2.hasPrefix("▸ ") && !row2.contains("★"))
        // The selected node's detail lists its providers in full.
        #expect(text.contains { $0.contains("provides 1: b") })
        press(&state, .character("k"))
        #expect(state.nodesView.selectedName == "node-1")
        press(&state, .character("G"))
        #expect(state.nodesView.selectedName == "node-2")
        press(&state, .escape)
        #expect(state.overlay == nil)
        press(&state, .character("N"))
        press(&state, .character("N"))
        #expect(state.overlay == nil)
    }

    @Test("a node whose STATUS is late is silent since its last STATUS, then gone when the feed says so")
    func healthOverTime() {
        var state = Self.clusterState()
        _ = reduce(&state, .tick(time(6)))
        #expect(state.nodesLines.contains { $0.description.contains("node-1") && $0.description.contains(" alive") })
        _ = reduce(&state, .tick(time(6, ms: 500)))
        let silent = state.nodesLines.first { $0.description.contains("node-1") }?.description ?? ""
        #expect(silent.contains("silent since 16:00:01") && !silent.contains("gone"), "\(silent)")
        // The observer drops it after the inactivity timeout: its snapshot says not alive, no providers.
        let gone = Self.node("node-1", peer: 1, status: time(1), alive: false, score: 0.9)
        _ = reduce(&state, .cluster(.node(gone, leader: "node-2", at: time(7, ms: 100))))
        let lines = state.nodesLines.map(\.description)
        let row = lines.first { $0.contains("node-1") } ?? ""
        #expect(row.contains("gone, silent since 16:00:01"), "\(row)")
        #expect(!row.contains("★"))
        #expect(lines.contains { $0.contains("★ node-2") })
        // Alive nodes first.
        #expect(state.nodesView.sortedNodes.map(\.name) == ["node-2", "node-1"])
        #expect(NodesViewState.health(of: gone, at: time(8)) == .gone(since: time(1)))
    }

    @Test("checksum mismatches and bounced calls are warnings under the node")
    func warnings() throws {
        var state = Self.clusterState()
        let stale = Self.node("node-3", peer: 3, status: time(2), names: ["flip"], checksum: 123, mismatch: true, bounces: ["flip": 8])
        _ = reduce(&state, .cluster(.node(stale, leader: "node-1", at: time(2))))
        let lines = state.nodesLines
        let rowIndex = try #require(lines.firstIndex { $0.description.contains("node-3") && $0.description.contains("alive") })
        #expect(lines[rowIndex + 1].description.contains("⚠ checksum mismatch: its CHECKSUM 123 does not match the 1 name"))
        #expect(lines[rowIndex + 1].spans.allSatisfy { $0.role == .stateError })
        #expect(lines[rowIndex + 2].description.contains("registered for flip but answered NO_RPC_PROVIDER 8×"))
    }

    @Test("the bus state replaces the engine's on the status line; the Calls title says same-node calls are missing")
    func busState() {
        var state = Self.clusterState()
        #expect(state.connectionLabel == "BUS")
        #expect(state.callsPaneNote?.contains("same-node calls are not on the bus") == true)
        _ = reduce(&state, .cluster(.bus(.disconnected(reason: "Redis closed the connection", retryIn: .milliseconds(250)), redis: "127.0.0.1:6379", at: time(3))))
        #expect(state.connectionLabel == "BUS LOST")
        #expect(state.nodesView.bus?.phrase == "lost, retrying in 0.25 s")
        _ = reduce(&state, .cluster(.bus(.connecting(attempt: 2), redis: "127.0.0.1:6379", at: time(3))))
        #expect(state.connectionLabel == "RECONNECTING")
        _ = reduce(&state, .cluster(.bus(.failed(reason: "wrong password"), redis: "127.0.0.1:6379", at: time(3))))
        #expect(state.connectionLabel == "BUS FAILED")
        // With a proxy in front of one node, its apps' same-node calls are shown too: the note says so.
        _ = reduce(&state, .cluster(.proxied(upstream: "ws://node-a:6020")))
        #expect(state.callsPaneNote == "bus: cross-node calls · proxy: every call of the apps on ws://node-a:6020; other same-node calls are not on the bus")
    }

    @Test("at most NodesViewState.capacity nodes: the longest-gone makes room, otherwise new ones are counted")
    func bounded() {
        var view = NodesViewState()
        for index in 0..<NodesViewState.capacity {
            view.apply(.node(Self.node("n\(index)", peer: UInt64(index + 1), status: time(1), alive: index != 7), leader: nil, at: time(1)))
        }
        view.apply(.node(Self.node("new-1", peer: 5000, status: time(2)), leader: nil, at: time(2)))
        #expect(view.nodes.count == NodesViewState.capacity)
        #expect(view.nodes["n7"] == nil && view.nodes["new-1"] != nil)
        view.apply(.node(Self.node("new-2", peer: 5001, status: time(2)), leader: nil, at: time(2)))
        #expect(view.nodes["new-2"] == nil && view.droppedNodes == 1)
    }
}
