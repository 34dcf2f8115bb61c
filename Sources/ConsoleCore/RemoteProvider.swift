import DeepstreamProtocol

/// A provider of another client, seen by the embedded broker (read-only).
package struct RemoteProvider: Hashable, Sendable {
    /// The providing connection.
    package var peer: PeerID
    /// The RPC name.
    package var name: String
    /// When it was registered.
    package var since: Timestamp
    /// Whether the console switched it off on the embedded broker (its requests are rejected on its
    /// behalf, issue 13).
    package var isSwitchedOff = false

    /// Creates an entry.
    package init(peer: PeerID, name: String, since: Timestamp) {
        self.peer = peer
        self.name = name
        self.since = since
    }
}
