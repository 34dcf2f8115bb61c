/// A connection on the broker, numbered from 1 in order of arrival.
public struct PeerID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The number.
    public var rawValue: UInt64
    /// Creates an id.
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }
    /// Orders by arrival.
    public static func < (lhs: PeerID, rhs: PeerID) -> Bool { lhs.rawValue < rhs.rawValue }
    /// `#<n>`.
    public var description: String { "#\(rawValue)" }
}

/// Which wire format a peer speaks.
public enum WireFormat: String, Hashable, Sendable {
    /// Protobuf binary frames (`/deepstream`).
    case binary
    /// JSON text frames (`/deepstream-json`).
    case json
}

/// Whether a frame came in or went out, seen from the side that reports it.
public enum FrameDirection: String, Hashable, Sendable {
    /// Received.
    case inbound
    /// Sent.
    case outbound
}

/// A call as the side that observes it identifies it: the requestor's connection plus its correlation
/// id (ids are scoped per requestor connection; see docs/broker.md).
public struct CallID: Hashable, Sendable, CustomStringConvertible {
    /// The requestor's connection (`nil` for calls observed by a client engine about itself).
    public var requestor: PeerID?
    /// The correlation id the requestor chose.
    public var correlationId: String
    /// Creates a call id.
    public init(requestor: PeerID?, correlationId: String) {
        self.requestor = requestor
        self.correlationId = correlationId
    }
    /// `#<peer>/<cid>` or the bare correlation id.
    public var description: String { requestor.map { "\($0)/\(correlationId)" } ?? correlationId }
}

/// One step in a call's life, as the broker (or an engine) observed it.
public enum CallStep: Hashable, Sendable {
    /// A requestor asked for the call; `data` is the request's JSON text (nil = no payload).
    case requested(data: String?)
    /// Dispatched to a provider connection (the first time, or after a reject).
    case routed(to: PeerID)
    /// The current provider accepted.
    case accepted(by: PeerID)
    /// A provider rejected (or disconnected, which counts as a reject); the call is rerouted or ends
    /// with NO_RPC_PROVIDER.
    case rejected(by: PeerID)
    /// The provider answered; `data` is the response's JSON text.
    case responded(data: String?)
    /// The provider answered with REQUEST_ERROR; `data` is its error value's JSON text.
    case errored(data: String?)
    /// The call ended without an answer from a provider: NO_RPC_PROVIDER, ACCEPT_TIMEOUT,
    /// RESPONSE_TIMEOUT, MESSAGE_DENIED, … (`reason` is the RPC action sent to the requestor).
    case failed(reason: RPCAction)
    /// The broker's permissions refused the REQUEST: `reason` is MESSAGE_DENIED (the rule said no) or
    /// MESSAGE_PERMISSION_ERROR (the rule failed); `rule` names it (`rpc.payments.*.request`, with the
    /// failure after a colon).
    case denied(rule: String, reason: RPCAction)
    /// The call ended on the client side without a server answer: "client offline", "message too
    /// large", "cancelled", "timeout" (a client-side deadline).
    case abandoned(reason: String)
    /// A steering rule (issue 13, docs/rules.md) touched the call: `rule` is its 1-based number,
    /// `action` one of `delay-request`, `delay-response`, `fail`, `reject`, `drop-response`, and `detail`
    /// the drawn delay (`312 ms`) or the injected error's JSON text.
    case steered(rule: Int, action: String, detail: String?)

    /// Whether this step ends the call.
    public var isFinal: Bool {
        switch self {
        case .responded, .errored, .failed, .denied, .abandoned: true
        case .requested, .routed, .accepted, .rejected, .steered: false
        }
    }
}

/// A call's step with the call's identity and when it happened.
public struct CallEvent: Hashable, Sendable {
    /// Which call.
    public var call: CallID
    /// The RPC name.
    public var name: String
    /// What happened.
    public var step: CallStep
    /// When.
    public var at: Timestamp
    /// Creates a call event.
    public init(call: CallID, name: String, step: CallStep, at: Timestamp) {
        self.call = call
        self.name = name
        self.step = step
        self.at = at
    }
}

/// Everything the embedded broker reports through its tap, in the order it happened.
///
/// It lives in this module (not in the broker) so that the client engine can relay the broker's tap
/// into its own event stream without depending on the broker.
public enum TrafficEvent: Hashable, Sendable {
    /// A WebSocket connection was opened.
    case connected(peer: PeerID, remoteAddress: String, format: WireFormat, at: Timestamp)
    /// A connection logged in; `clientData` is what AUTH_SUCCESSFUL carried.
    case loggedIn(peer: PeerID, user: String, clientData: JSONValue?, at: Timestamp)
    /// A login was refused.
    case loginFailed(peer: PeerID, user: String?, at: Timestamp)
    /// A connection closed, with a reason for people ("client closed", "heartbeat missing", …).
    case disconnected(peer: PeerID, reason: String, at: Timestamp)
    /// A frame crossed the broker's socket. `message` is nil when it could not be decoded.
    case frame(peer: PeerID, direction: FrameDirection, message: Message?, byteCount: Int, at: Timestamp)
    /// A connection started providing `name`.
    case providerAdded(peer: PeerID, name: String, at: Timestamp)
    /// A connection stopped providing `name` (unprovide or disconnect).
    case providerRemoved(peer: PeerID, name: String, at: Timestamp)
    /// A step of a call routed through the broker.
    case call(CallEvent)
    /// Only from a recording (`dsconsole open`): the console that wrote it had released this call's
    /// request and/or response (those given, with their sizes in bytes) for its memory budget, so
    /// the recording has no text for them. Comes after the call's steps.
    case payloadsNotKept(call: CallID, name: String, request: Int?, response: Int?, at: Timestamp)
}
