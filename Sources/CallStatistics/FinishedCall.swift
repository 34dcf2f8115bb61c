import DeepstreamProtocol

/// What the statistics keep of one call once it has ended.
public struct FinishedCall: Hashable, Sendable {
    /// The RPC name.
    public var name: String
    /// Who provided it last (a user name, or `#<peer>` when the user is unknown); nil when no
    /// provider was involved or it is unknown.
    public var provider: String?
    /// How it ended.
    public var outcome: CallOutcomeKind
    /// From the request to the first accept, if a provider accepted.
    public var acceptLatency: Duration?
    /// From the request to the end.
    public var totalLatency: Duration
    /// Whether a provider rejected it and it was routed again (or failed for lack of another).
    public var wasRerouted: Bool
    /// When it ended.
    public var endedAt: Timestamp

    /// Creates a finished call.
    public init(
        name: String, provider: String?, outcome: CallOutcomeKind, acceptLatency: Duration?,
        totalLatency: Duration, wasRerouted: Bool, endedAt: Timestamp
    ) {
        self.name = name
        self.provider = provider
        self.outcome = outcome
        self.acceptLatency = acceptLatency
        self.totalLatency = totalLatency
        self.wasRerouted = wasRerouted
        self.endedAt = endedAt
    }
}
