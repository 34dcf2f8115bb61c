import DeepstreamProtocol

/// A short message on the status line ("invalid JSON, not sent", "HEARTBEAT_TIMEOUT: …").
package struct Notice: Hashable, Sendable {
    /// The text.
    package var text: String
    /// Whether it reports a problem.
    package var isError: Bool
    /// When it disappears (set from the tick clock; nil until the next tick).
    package var expiresAt: Timestamp?

    /// Creates a notice.
    package init(_ text: String, isError: Bool = false, expiresAt: Timestamp? = nil) {
        self.text = text
        self.isError = isError
        self.expiresAt = expiresAt
    }
}
