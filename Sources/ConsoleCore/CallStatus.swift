import DeepstreamProtocol

/// Where a call is in its life, derived from its latest step.
package enum CallStatus: Hashable, Sendable {
    /// Requested, not yet routed to a provider.
    case requested
    /// Routed to a provider that has not accepted yet.
    case routed
    /// A provider accepted and is working on it.
    case accepted
    /// The provider answered.
    case responded
    /// The provider answered with REQUEST_ERROR.
    case errored
    /// The call ended without a provider's answer (`NO_RPC_PROVIDER`, `RESPONSE_TIMEOUT`, …).
    case failed(RPCAction)
    /// The broker's permissions refused it (MESSAGE_DENIED or MESSAGE_PERMISSION_ERROR); `rule` names
    /// the rule (`rpc.payments.*.request`).
    case denied(rule: String, reason: RPCAction)
    /// The client gave up on it without a server answer ("timeout", "client offline", …).
    case abandoned(String)

    /// Whether the call has ended.
    package var isFinal: Bool {
        switch self {
        case .requested, .routed, .accepted: false
        case .responded, .errored, .failed, .denied, .abandoned: true
        }
    }

    /// Whether the call ended badly (anything final but a response).
    package var isError: Bool {
        switch self {
        case .errored, .failed, .denied, .abandoned: true
        case .requested, .routed, .accepted, .responded: false
        }
    }

    /// A short label for the Calls pane and the filter (`state:timeout`), in the words of deepstream's
    /// errors (`request-error` is REQUEST_ERROR, `no-provider` NO_RPC_PROVIDER, …).
    package var label: String {
        switch self {
        case .requested: "requested"
        case .routed: "routed"
        case .accepted: "accepted"
        case .responded: "ok"
        case .errored: "request-error"
        case .failed(let reason):
            switch reason {
            case .noRPCProvider: "no-provider"
            case .acceptTimeout: "accept-timeout"
            case .responseTimeout: "timeout"
            case .messageDenied, .messagePermissionError: "denied"
            default: reason.name.lowercased()
            }
        case .denied: "denied"
        case .abandoned(let reason): "abandoned: \(reason)"
        }
    }

    /// Which theme role colours the status.
    package var role: ThemeRole {
        switch self {
        case .requested, .routed, .accepted: .statePending
        case .responded: .stateOK
        case .errored, .failed, .denied, .abandoned: .stateError
        }
    }
}
