import DeepstreamProtocol

/// A connection on the embedded broker.
public struct PeerInfo: Hashable, Sendable {
    /// The connection.
    public var id: PeerID
    /// The user it logged in as, once it did.
    public var user: String?
    /// The remote address.
    public var address: String
    /// The wire format it speaks.
    public var format: WireFormat?
    /// Whether the connection is still open.
    public var isConnected = true

    /// Creates an entry.
    public init(id: PeerID, user: String? = nil, address: String = "", format: WireFormat? = nil) {
        self.id = id
        self.user = user
        self.address = address
        self.format = format
    }

    /// `#3 alice` or `#3`.
    public var label: String { user.map { "\(id) \($0)" } ?? id.description }
}
