import DeepstreamProtocol

/// A timer the broker core asks its IO shell to run. Arming an id that is already armed replaces it.
package enum BrokerTimer: Hashable, Sendable {
    /// The unauthenticated-client timeout of a connection.
    case authentication(PeerID)
    /// The next heartbeat check of a connection.
    case heartbeat(PeerID)
    /// A call's ACCEPT deadline at its current provider.
    case accept(CallID)
    /// A call's RESPONSE deadline at its current provider.
    case response(CallID)
    /// The end of a steering delay: the held REQUEST goes to the provider or the held answer to the
    /// requestor (docs/rules.md).
    case steering(CallID)
}

/// Why the broker closes a connection.
package enum CloseReason: Hashable, Sendable, CustomStringConvertible {
    /// `maxAuthAttempts` failed logins.
    case tooManyAuthAttempts
    /// No successful login within `unauthenticatedClientTimeout`.
    case authenticationTimeout
    /// AUTH data that is not a JSON object, or an AUTH action other than REQUEST before login.
    case invalidAuthData
    /// Nothing received for 2 × `heartbeatInterval`.
    case heartbeatMissing
    /// The broker is shutting down.
    case shutdown

    /// A short text for people and the tap.
    package var description: String {
        switch self {
        case .tooManyAuthAttempts: "too many authentication attempts"
        case .authenticationTimeout: "authentication timeout"
        case .invalidAuthData: "invalid authentication data"
        case .heartbeatMissing: "heartbeat missing"
        case .shutdown: "broker shutting down"
        }
    }
}

/// What the pure broker core asks its IO shell to do, in order.
package enum BrokerAction: Hashable, Sendable {
    /// Encode `message` in the peer's wire format and write it as one frame.
    case send(PeerID, Message)
    /// Close the connection (after the frames already asked for have been written).
    case close(PeerID, CloseReason)
    /// Run `timer` at `deadline` and then feed ``BrokerInput/timerFired(_:at:)``; replaces an armed one.
    case armTimer(BrokerTimer, deadline: Timestamp)
    /// Forget `timer` if it is armed.
    case cancelTimer(BrokerTimer)
    /// Check the login details of `peer` and feed ``BrokerInput/authenticated(_:_:at:)``.
    case authenticate(PeerID, authData: JSONValue)
    /// Hand `event` to the tap's subscribers.
    case tap(TrafficEvent)
}
