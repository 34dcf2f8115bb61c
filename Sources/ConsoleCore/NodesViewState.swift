import DeepstreamProtocol

/// The Nodes view's data and its own state (`N`, `dsconsole cluster`): every node the cluster bus
/// showed, the leader, the bus connection, and the selection and scroll.
///
/// Bounded: at most ``capacity`` nodes; past it, the longest-gone node makes room and a new name with
/// no gone node to replace is counted in ``droppedNodes`` instead.
package struct NodesViewState: Hashable, Sendable {
    /// The most nodes kept.
    package static let capacity = 1000
    /// The STATUS keep-alive interval of deepstream's cluster (5 s): an alive node whose last STATUS is
    /// older than this has missed one and is shown as silent until the cluster's timeout drops it.
    package static let statusInterval: Duration = .seconds(5)

    /// Nodes by serverName.
    package private(set) var nodes: [String: ClusterNodeInfo] = [:]
    /// The alive node with the highest leaderScore, as of the latest node update.
    package private(set) var leader: String?
    /// The bus connection (nil: not a cluster console).
    package private(set) var bus: ClusterBusState?
    /// The Redis address (`host:port`), once known.
    package private(set) var redis: String?
    /// The proxied node's address when a proxy also feeds the view (`cluster --proxy`).
    package private(set) var proxiedUpstream: String?
    /// Nodes not kept because ``capacity`` was reached.
    package private(set) var droppedNodes = 0
    /// The selected node's name (kept by name so it survives re-sorting).
    package var selectedName: String?
    /// The first visible line.
    package var scroll = 0

    /// Creates an empty view: no cluster.
    package init() {}

    /// Whether the console shows a cluster bus.
    package var isCluster: Bool { bus != nil }

    /// What the bus cannot show, in one line (the Calls pane's title, the Nodes view's footer).
    package var coverageNote: String? {
        guard isCluster else { return nil }
        if let proxiedUpstream {
            return "bus: cross-node calls · proxy: every call of the apps on \(proxiedUpstream); other same-node calls are not on the bus"
        }
        return "cross-node only: same-node calls are not on the bus"
    }

    /// Every node, alive ones first, then by name.
    package var sortedNodes: [ClusterNodeInfo] {
        nodes.values.sorted { ($0.isAlive ? 0 : 1, $0.name) < ($1.isAlive ? 0 : 1, $1.name) }
    }

    /// Applies one update from the cluster feed.
    package mutating func apply(_ update: ClusterUpdate) {
        switch update {
        case .node(let node, let leader, _):
            self.leader = leader
            if nodes[node.name] == nil, nodes.count >= Self.capacity {
                let gone = nodes.values.filter { !$0.isAlive }
                    .min { ($0.silentSince ?? $0.lastSeen, $0.name) < ($1.silentSince ?? $1.lastSeen, $1.name) }
                guard let gone else {
                    droppedNodes += 1
                    return
                }
                nodes[gone.name] = nil
                if selectedName == gone.name { selectedName = nil }
            }
            nodes[node.name] = node
            if selectedName == nil { selectedName = sortedNodes.first?.name }
        case .bus(let state, let redis, _):
            bus = state
            self.redis = redis
        case .proxied(let upstream):
            proxiedUpstream = upstream
        }
    }

    /// Moves the selection by `offset` nodes (clamped); selects the first when nothing is selected.
    package mutating func moveSelection(by offset: Int) {
        let order = sortedNodes.map(\.name)
        guard !order.isEmpty else {
            selectedName = nil
            return
        }
        let current = selectedName.flatMap { order.firstIndex(of: $0) }
        let target = current.map { min(max($0 + offset, 0), order.count - 1) } ?? 0
        selectedName = order[target]
    }

    /// How a node is doing at `now`, in words for the STATE column.
    package enum Health: Hashable, Sendable {
        /// STATUS keep-alives arrive.
        case alive
        /// Alive, but no STATUS yet (only seen as a call's target or in another message).
        case noStatusYet
        /// Alive by the cluster's timeout, but its last STATUS is older than the keep-alive interval.
        case silent(since: Timestamp)
        /// The inactivity timeout passed: the cluster dropped it; it was last heard of at `since`.
        case gone(since: Timestamp)
    }

    /// `node`'s health at `now` (nil: no tick yet, judged only by the feed).
    package static func health(of node: ClusterNodeInfo, at now: Timestamp?) -> Health {
        let lastHeard = node.lastStatus ?? node.lastSeen
        guard node.isAlive else { return .gone(since: lastHeard) }
        guard let lastStatus = node.lastStatus else { return .noStatusYet }
        if let now, now > lastStatus, now.since(lastStatus) > statusInterval { return .silent(since: lastStatus) }
        return .alive
    }
}
