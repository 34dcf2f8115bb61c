import DeepstreamProtocol

/// A short message on the status line ("invalid JSON, not sent", "HEARTBEAT_TIMEOUT: …").
public struct Notice: Hashable, Sendable {
    /// The text.
    public var text: String
    /// Whether it reports a problem.
    public var isError: Bool
    /// When it disappears (set from the tick clock; nil until the next tick).
    public var expiresAt: Timestamp?

    /// Creates a notice.
    public init(_ text: String, isError: Bool = false, expiresAt: Timestamp? = nil) {
        self.text = text
        self.isError = isError
        self.expiresAt = expiresAt
    }
}
