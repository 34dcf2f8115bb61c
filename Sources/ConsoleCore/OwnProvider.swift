import DeepstreamProtocol

/// What the runtime tells the console about one of its own providers: the behaviour itself lives in
/// MockProviders; the console only needs its name and a summary.
public struct OwnProviderSpec: Hashable, Sendable {
    /// The RPC name.
    public var name: String
    /// A one-line summary of the behaviour (`echo`, `fixed {"ok":true}`, `delay 200ms then echo`).
    public var behaviour: String
    /// Whether to provide it as soon as it is loaded.
    public var provideAtStart: Bool

    /// Creates a spec.
    public init(name: String, behaviour: String, provideAtStart: Bool = true) {
        self.name = name
        self.behaviour = behaviour
        self.provideAtStart = provideAtStart
    }
}

/// One of the console's own providers, as the Providers pane shows it.
public struct OwnProvider: Hashable, Sendable {
    /// Whether the server has the provider registered.
    public enum Registration: Hashable, Sendable {
        /// Not provided.
        case unprovided
        /// PROVIDE sent, not acknowledged yet.
        case providing
        /// Acknowledged by the server.
        case provided
        /// UNPROVIDE sent, not acknowledged yet.
        case unproviding
        /// The server refused (`MESSAGE_DENIED`, `MULTIPLE_PROVIDERS`, …).
        case refused(RPCAction)

        /// Whether the provider is provided or on its way there (what Space toggles).
        public var isWanted: Bool {
            switch self {
            case .providing, .provided: true
            case .unprovided, .unproviding, .refused: false
            }
        }

        /// A short label: `on`, `on…`, `off`, `off…`, `refused: MESSAGE_DENIED`.
        public var label: String {
            switch self {
            case .unprovided: "off"
            case .providing: "on…"
            case .provided: "on"
            case .unproviding: "off…"
            case .refused(let reason): "refused: \(reason.name)"
            }
        }
    }

    /// The RPC name.
    public var name: String
    /// The behaviour summary.
    public var behaviour: String
    /// Registration with the server.
    public var registration: Registration = .unprovided
    /// Requests served.
    public var callCount = 0
    /// The latest served request's time from request to answer.
    public var lastLatency: Duration?

    /// Creates a provider from its spec, unprovided.
    public init(_ spec: OwnProviderSpec) {
        name = spec.name
        behaviour = spec.behaviour
    }
}

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
