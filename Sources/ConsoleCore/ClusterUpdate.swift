import DeepstreamProtocol

/// What the cluster feed tells the console besides traffic (which arrives as engine events): one
/// node's state, and the bus connection. Applied by ``reduce(_:_:)`` via ``ConsoleAction/cluster(_:)``.
package enum ClusterUpdate: Hashable, Sendable {
    /// A node's whole state after a change; `leader` is the cluster's leader at `at`.
    case node(ClusterNodeInfo, leader: String?, at: Timestamp)
    /// The Redis connection changed at `at`.
    case bus(ClusterBusState, redis: String, at: Timestamp)
    /// A proxy in front of one node (`cluster --proxy`) also feeds the view: its apps' same-node calls
    /// are shown too. `upstream` names the node's address.
    case proxied(upstream: String)
}
