import DeepstreamProtocol

/// A connection on the embedded broker.
package struct PeerInfo: Hashable, Sendable {
    /// The connection.
    package var id: PeerID
    /// The user it logged in as, once it did.
    package var user: String?
    /// The remote address.
    package var address: String
    /// The wire format it speaks.
    package var format: WireFormat?
    /// Whether the connection is still open.
    package var isConnected = true

    /// Creates an entry.
    package init(id: PeerID, user: String? = nil, address: String = "", format: WireFormat? = nil) {
        self.id = id
        self.user = user
        self.address = address
        self.format = format
    }

    /// `#3 alice` or `#3`.
    package var label: String { user.map { "\(id) \($0)" } ?? id.description }
}
