import DeepstreamProtocol

/// What the ``RedisBusSubscriber`` reports about its connection and the messages it receives.
package enum BusConnectionEvent: Hashable, Sendable {
    /// Opening a connection (attempt 1 is the first; later ones are reconnects).
    case connecting(attempt: Int, at: Timestamp)
    /// Subscribed to `channels`: messages follow.
    case subscribed(channels: [String], at: Timestamp)
    /// A PUBLISH on `channel`, payload bytes as sent.
    case message(channel: String, payload: [UInt8], at: Timestamp)
    /// The connection failed or was lost; the next attempt starts after `retryIn`.
    case disconnected(reason: String, retryIn: Duration, at: Timestamp)
    /// Giving up for good (wrong password, Redis refusing the subscription): retrying cannot help.
    case failed(reason: String, at: Timestamp)
}
