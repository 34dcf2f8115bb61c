/// The client connection's state, as in the JS client (spec §3.3).
public enum ConnectionState: String, Hashable, Sendable {
    /// Not connected and not trying (before `connect`, or after `close()` / giving up).
    case closed = "CLOSED"
    /// Opening the socket.
    case awaitingConnection = "AWAITING_CONNECTION"
    /// CHALLENGE sent, waiting for ACCEPT.
    case challenging = "CHALLENGING"
    /// Accepted; waiting for `login`.
    case awaitingAuthentication = "AWAITING_AUTHENTICATION"
    /// AUTH REQUEST sent.
    case authenticating = "AUTHENTICATING"
    /// Logged in; RPCs flow.
    case open = "OPEN"
    /// Lost the connection; a reconnect is scheduled.
    case reconnecting = "RECONNECTING"
    /// Following a REDIRECT.
    case redirecting = "REDIRECTING"
    /// The server answered the challenge with REJECT (terminal).
    case challengeDenied = "CHALLENGE_DENIED"
    /// The server said TOO_MANY_AUTH_ATTEMPTS (terminal).
    case tooManyAuthAttempts = "TOO_MANY_AUTH_ATTEMPTS"
    /// The server said AUTHENTICATION_TIMEOUT (terminal).
    case authenticationTimeout = "AUTHENTICATION_TIMEOUT"
    /// `close()` in progress.
    case closing = "CLOSING"
}

/// The requestor details a server may attach to a forwarded REQUEST (spec §4 #9).
public struct RequestorDetails: Hashable, Sendable {
    /// The requestor's user id (`requestorName`), if the server sent it.
    public var name: String?
    /// The requestor's clientData (`requestorData`), if the server sent it.
    public var data: JSONValue?
    /// Creates requestor details.
    public init(name: String?, data: JSONValue?) {
        self.name = name
        self.data = data
    }
}

/// Everything the engine reports, in order, to each subscriber of a client engine's `events()` (`DeepstreamClient.ClientEngine`).
public enum EngineEvent: Hashable, Sendable {
    /// The connection state changed.
    case stateChanged(from: ConnectionState, to: ConnectionState, at: Timestamp)
    /// Login succeeded; `clientData` is what the server returned.
    case loggedIn(clientData: JSONValue?, at: Timestamp)
    /// Login was refused; `reason` is the server's data, if any.
    case loginFailed(reason: JSONValue?, at: Timestamp)
    /// A frame was sent or received (decoded). `message` is nil for a frame that could not be decoded.
    case frame(direction: FrameDirection, message: Message?, byteCount: Int, at: Timestamp)
    /// A step of a call this engine made with `make` (``CallID/requestor`` is nil).
    case outgoingCall(CallEvent)
    /// A step of a request served by one of this engine's providers; `requestor` as the server sent it.
    case servedCall(CallEvent, requestor: RequestorDetails?)
    /// The server acknowledged a PROVIDE (`provided: true`) or UNPROVIDE of `name`.
    case providerAcknowledged(name: String, provided: Bool, at: Timestamp)
    /// The server refused to let this engine provide `name` (MESSAGE_DENIED, MULTIPLE_PROVIDERS, …).
    case providerRefused(name: String, reason: RPCAction, at: Timestamp)
    /// Something went wrong that is not tied to one call (unexpected message, heartbeat timeout, …):
    /// `kind` is the deepstream event name (`HEARTBEAT_TIMEOUT`, `UNKNOWN_CORRELATION_ID`, …).
    case error(kind: String, message: String, at: Timestamp)
    /// An event of the embedded broker's tap, relayed so a console consumes a single stream.
    case traffic(TrafficEvent)
    /// This subscriber's buffer was full: `count` of its oldest undelivered events were dropped since
    /// the previous marker. The marker is queued as soon as the buffer has room again, so it follows
    /// the events that survived.
    case dropped(count: Int)
}
