import DeepstreamProtocol

/// A provider of another client, seen by the embedded broker (read-only).
public struct RemoteProvider: Hashable, Sendable {
    /// The providing connection.
    public var peer: PeerID
    /// The RPC name.
    public var name: String
    /// When it was registered.
    public var since: Timestamp

    /// Creates an entry.
    public init(peer: PeerID, name: String, since: Timestamp) {
        self.peer = peer
        self.name = name
        self.since = since
    }
}
