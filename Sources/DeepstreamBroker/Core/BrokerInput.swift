import DeepstreamProtocol

/// Everything that can happen to the broker core, each with the time it happened.
package enum BrokerInput: Hashable, Sendable {
    /// A WebSocket connection finished its upgrade.
    case connected(PeerID, remoteAddress: String, format: WireFormat, at: Timestamp)
    /// A frame arrived; `message` is nil when it could not be decoded.
    case received(PeerID, message: Message?, at: Timestamp)
    /// A login check requested by ``BrokerAction/authenticate(_:authData:)`` finished.
    case authenticated(PeerID, AuthenticationResult, at: Timestamp)
    /// The socket closed (for any reason, including a close the core asked for).
    case disconnected(PeerID, reason: String, at: Timestamp)
    /// An armed timer fired.
    case timerFired(BrokerTimer, at: Timestamp)
    /// The console changed the steering state (switched a provider off or on, edited the rules,
    /// resolved a held call).
    case steer(SteeringChange, at: Timestamp)
    /// Graceful shutdown began: new requests are refused, in-flight calls may still finish.
    case drain(at: Timestamp)
    /// Graceful shutdown ends: pending calls fail with RESPONSE_TIMEOUT and every connection is closed.
    case terminate(at: Timestamp)
}
