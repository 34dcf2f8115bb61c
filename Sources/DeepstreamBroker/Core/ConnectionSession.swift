import DeepstreamProtocol

/// One connection's login state machine (spec §3): CHALLENGE → ACCEPT, AUTH → AUTH_SUCCESSFUL, and the
/// replies to out-of-order or undecodable messages (§3.2). Pure: no IO, no clock.
package struct ConnectionSession: Sendable {
    /// Where the connection is in its life.
    package enum Phase: Hashable, Sendable {
        /// Opened; waiting for CONNECTION/CHALLENGE.
        case awaitingChallenge
        /// ACCEPT sent; waiting for AUTH/REQUEST.
        case awaitingAuthentication
        /// Login details are being checked.
        case authenticating
        /// Logged in.
        case open
        /// The broker asked for the socket to be closed; nothing more is processed.
        case closing(CloseReason)
    }

    /// What the session decided about one input.
    package enum Decision: Hashable, Sendable {
        /// Nothing to do.
        case ignore
        /// Send these messages.
        case reply([Message])
        /// Send these messages, then close the connection.
        case replyAndClose([Message], CloseReason)
        /// Check these login details (a JSON object or array).
        case authenticate(JSONValue)
        /// Logged-in RPC traffic for the router.
        case route(RPCMessage)
    }

    /// The current phase.
    package private(set) var phase: Phase = .awaitingChallenge
    /// Failed logins so far.
    package private(set) var failedAuthAttempts = 0
    /// The logged-in user id.
    package private(set) var user: String?
    /// The logged-in user's clientData.
    package private(set) var clientData: JSONValue?

    /// Creates a session for a freshly opened connection.
    package init() {}

    /// Whether an RPC message received now is routed as it is, i.e. whether the connection has logged in
    /// (``receive(_:)`` decides `.route`). The broker's per-frame path asks this first and hands the RPC straight to the router, without a
    /// decision built around a copy of it; this is the one place the rule lives.
    package var routesRPCs: Bool { phase == .open }

    /// Handles one received frame; `message` is nil when the frame could not be decoded.
    package mutating func receive(_ message: Message?) -> Decision {
        if routesRPCs, case .rpc(let m)? = message { return .route(m) }
        switch phase {
        case .closing:
            return .ignore
        case .awaitingChallenge:
            switch message {
            case .connection(let m) where m.action == .challenge:
                phase = .awaitingAuthentication
                return .reply([.accept])
            case .connection:
                return .ignore  // PING and stray CONNECTION actions before the challenge: only logged by the reference.
            default:
                return .reply([.connection(ConnectionMessage(action: .invalidMessage))])
            }
        case .awaitingAuthentication, .authenticating:
            switch message {
            case .connection(let m) where m.action == .ping:
                return .ignore
            case .auth(let m) where phase == .awaitingAuthentication:
                guard m.action == .request, let data = m.data, let value = try? JSONValue(parsing: data) else {
                    return invalidAuthData()
                }
                switch value {
                case .object, .array:
                    phase = .authenticating
                    return .authenticate(value)
                default:
                    return invalidAuthData()
                }
            default:
                // Includes a second CHALLENGE, undecodable frames and anything sent while a login is checked.
                return .reply([.auth(AuthMessage(action: .invalidMessage))])
            }
        case .open:
            switch message {
            case .connection(let m) where m.action == .ping:
                return .reply([.pong])
            default:
                return .reply([.parser(ParserMessage(action: .unknownTopic))])
            }
        }
    }

    /// Handles the outcome of a login check.
    package mutating func authenticated(_ result: AuthenticationResult, maxAuthAttempts: Int) -> Decision {
        guard phase == .authenticating else { return .ignore }
        switch result {
        case .success(let user, let clientData, _):
            phase = .open
            self.user = user
            self.clientData = clientData
            return .reply([.auth(AuthMessage(action: .authSuccessful, data: clientData?.jsonText))])
        case .failure(_, let clientData):
            failedAuthAttempts += 1
            let refusal = Message.auth(AuthMessage(action: .authUnsuccessful, data: clientData?.jsonText))
            guard failedAuthAttempts < maxAuthAttempts else {
                phase = .closing(.tooManyAuthAttempts)
                return .replyAndClose(
                    [refusal, .auth(AuthMessage(action: .tooManyAuthAttempts))], .tooManyAuthAttempts)
            }
            phase = .awaitingAuthentication
            return .reply([refusal])
        }
    }

    /// The unauthenticated-client timer fired.
    package mutating func authenticationTimedOut() -> Decision {
        switch phase {
        case .awaitingChallenge, .awaitingAuthentication, .authenticating:
            phase = .closing(.authenticationTimeout)
            return .replyAndClose(
                [.connection(ConnectionMessage(action: .authenticationTimeout))], .authenticationTimeout)
        case .open, .closing:
            return .ignore
        }
    }

    /// The broker closes the connection for `reason` without a message (heartbeat, shutdown).
    package mutating func close(_ reason: CloseReason) -> Decision {
        if case .closing = phase { return .ignore }
        phase = .closing(reason)
        return .replyAndClose([], reason)
    }

    private mutating func invalidAuthData() -> Decision {
        phase = .closing(.invalidAuthData)
        return .replyAndClose([.auth(AuthMessage(action: .invalidMessageData))], .invalidAuthData)
    }
}
