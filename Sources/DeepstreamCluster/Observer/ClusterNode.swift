import DeepstreamProtocol

/// What the observer knows about one node.
package struct ClusterNode: Hashable, Sendable {
    /// The serverName.
    package var name: String
    /// The peer id standing for it in traffic events (a new one each time it rejoins after silence).
    package var peer: PeerID
    /// Whether it is considered alive (a STATUS or other message within the inactivity timeout).
    package var isAlive: Bool
    /// Last announced leaderScore.
    package var leaderScore: Double?
    /// Last announced role.
    package var role: String?
    /// When its last STATUS arrived.
    package var lastStatus: Timestamp?
    /// When anything from it last arrived.
    package var lastSeen: Timestamp
    /// When it went silent (if it did).
    package var silentSince: Timestamp?
    /// RPC names it provides, rebuilt from RPC_SUBSCRIPTIONS ADD / REMOVE / FULL_STATE.
    package var providedNames: Set<String>
    /// The last CHECKSUM it announced for RPC_SUBSCRIPTIONS and whether it matched ``providedNames``.
    package var lastChecksum: Int64?
    /// `true` while its last CHECKSUM disagrees with the names the bus showed.
    package var checksumMismatch: Bool
    /// Times it answered NO_RPC_PROVIDER for a name it is registered for, per name.
    package var bounces: [String: Int]

    /// Creates a node first seen at `at`.
    package init(name: String, peer: PeerID, at: Timestamp) {
        self.name = name
        self.peer = peer
        self.isAlive = true
        self.lastSeen = at
        self.providedNames = []
        self.checksumMismatch = false
        self.bounces = [:]
    }
}
