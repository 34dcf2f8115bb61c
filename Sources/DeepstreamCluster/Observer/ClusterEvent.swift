import DeepstreamProtocol

/// What the ``ClusterObserver`` reports. Nodes, providers and calls are also expressed in the shared
/// ``TrafficEvent`` vocabulary (a node is a peer; see docs/decisions.md), so the console, `watch` and
/// the statistics consume them unchanged; node changes and warnings have their own cases.
package enum ClusterEvent: Hashable, Sendable {
    /// A node, provider or call event in the shared vocabulary.
    case traffic(TrafficEvent)
    /// A node joined, sent STATUS, or went silent.
    case node(NodeEvent)
    /// Something the observer noticed that the cluster itself does not report.
    case warning(ClusterWarning)
    /// A node's whole state after it changed (joined, STATUS, providers, checksum, bounce, silent), with
    /// the cluster's leader at that moment: what a view of the nodes needs, without replaying events.
    /// Not sent when only ``ClusterNode/lastSeen`` moved (that would be every bus message).
    case nodeState(ClusterNode, leader: String?, at: Timestamp)
}

/// A change of one node.
package struct NodeEvent: Hashable, Sendable {
    /// What changed.
    package enum Change: Hashable, Sendable {
        /// First message from this node (or first after it went silent).
        case joined
        /// A CLUSTER STATUS keep-alive arrived.
        case status
        /// No STATUS for longer than the inactivity timeout: the nodes drop it now (nothing is published
        /// when a node dies or stops).
        case silent
    }
    /// The node's serverName.
    package var node: String
    /// The peer id standing for this node in ``TrafficEvent``s.
    package var peer: PeerID
    /// What changed.
    package var change: Change
    /// The node's last announced leaderScore.
    package var leaderScore: Double?
    /// The node's announced role.
    package var role: String?
    /// When its last STATUS arrived.
    package var lastStatus: Timestamp?
    /// The leader among the alive nodes (highest leaderScore), after this change.
    package var leader: String?
    /// When.
    package var at: Timestamp

    /// Creates a node event.
    package init(
        node: String, peer: PeerID, change: Change, leaderScore: Double?, role: String?, lastStatus: Timestamp?,
        leader: String?, at: Timestamp
    ) {
        self.node = node
        self.peer = peer
        self.change = change
        self.leaderScore = leaderScore
        self.role = role
        self.lastStatus = lastStatus
        self.leader = leader
        self.at = at
    }
}

/// A problem seen on the bus, one line each.
package struct ClusterWarning: Hashable, Sendable, CustomStringConvertible {
    /// Which kind of problem.
    package enum Kind: String, Hashable, Sendable {
        /// A node's CHECKSUM does not match the provider names the bus showed for it.
        case checksumMismatch
        /// A node registered as provider of a name answered NO_RPC_PROVIDER for it.
        case providerBounced
        /// A payload that is not a deepstream envelope.
        case badPayload
        /// An envelope of a topic or action the observer does not know.
        case unknownMessage
        /// Nothing arrived on the bus for a while.
        case busSilent
    }
    /// Which kind.
    package var kind: Kind
    /// The node concerned, if any.
    package var node: String?
    /// The RPC name concerned, if any.
    package var name: String?
    /// The line for people.
    package var message: String
    /// When.
    package var at: Timestamp

    /// Creates a warning.
    package init(kind: Kind, node: String? = nil, name: String? = nil, message: String, at: Timestamp) {
        self.kind = kind
        self.node = node
        self.name = name
        self.message = message
        self.at = at
    }

    /// The message.
    package var description: String { message }
}
