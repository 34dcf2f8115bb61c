import DeepstreamProtocol

/// One node of a deepstream cluster as the Nodes view shows it (`dsconsole cluster`). ConsoleCore's
/// own copy of what the cluster observer knows, so the console does not depend on the cluster module
/// (docs/decisions.md).
package struct ClusterNodeInfo: Hashable, Sendable {
    /// The node's serverName.
    package var name: String
    /// The peer id standing for it in the call and provider rows (a new one after it rejoins).
    package var peer: PeerID
    /// Alive (false once no STATUS came for the cluster's inactivity timeout).
    package var isAlive: Bool
    /// When its last CLUSTER STATUS arrived (nil: none yet, e.g. only named as a REQUEST's target).
    package var lastStatus: Timestamp?
    /// When anything from it last arrived (as of the latest change).
    package var lastSeen: Timestamp
    /// When the view declared it gone.
    package var silentSince: Timestamp?
    /// Its announced leaderScore.
    package var leaderScore: Double?
    /// Its announced role.
    package var role: String?
    /// The RPC names it provides, sorted.
    package var providedNames: [String]
    /// Its last announced provider CHECKSUM.
    package var lastChecksum: Int64?
    /// Whether that CHECKSUM disagrees with the names seen on the bus.
    package var checksumMismatch: Bool
    /// Per RPC name: how often it answered NO_RPC_PROVIDER although registered for the name.
    package var bounces: [String: Int]

    /// Creates a node.
    package init(
        name: String, peer: PeerID, isAlive: Bool = true, lastStatus: Timestamp? = nil, lastSeen: Timestamp,
        silentSince: Timestamp? = nil, leaderScore: Double? = nil, role: String? = nil, providedNames: [String] = [],
        lastChecksum: Int64? = nil, checksumMismatch: Bool = false, bounces: [String: Int] = [:]
    ) {
        self.name = name
        self.peer = peer
        self.isAlive = isAlive
        self.lastStatus = lastStatus
        self.lastSeen = lastSeen
        self.silentSince = silentSince
        self.leaderScore = leaderScore
        self.role = role
        self.providedNames = providedNames
        self.lastChecksum = lastChecksum
        self.checksumMismatch = checksumMismatch
        self.bounces = bounces
    }
}
