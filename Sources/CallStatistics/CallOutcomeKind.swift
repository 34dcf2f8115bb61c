import DeepstreamProtocol

/// How a finished call ended, in the categories the Stats view counts separately.
package enum CallOutcomeKind: String, CaseIterable, Hashable, Sendable {
    /// The provider answered with a RESPONSE.
    case ok
    /// The provider answered with REQUEST_ERROR.
    case requestError = "REQUEST_ERROR"
    /// No provider, or every provider rejected (NO_RPC_PROVIDER).
    case noProvider = "NO_RPC_PROVIDER"
    /// No provider accepted in time (ACCEPT_TIMEOUT).
    case acceptTimeout = "ACCEPT_TIMEOUT"
    /// The provider accepted but did not answer in time (RESPONSE_TIMEOUT).
    case responseTimeout = "RESPONSE_TIMEOUT"
    /// The server's permissions refused the call (MESSAGE_DENIED, MESSAGE_PERMISSION_ERROR).
    case denied = "MESSAGE_DENIED"
    /// Anything else: another server error, or the client gave up (offline, its own timeout, …).
    case other = "OTHER"

    /// The error kinds, in the order the Stats view shows them.
    package static let errors: [CallOutcomeKind] = [.requestError, .noProvider, .acceptTimeout, .responseTimeout, .denied, .other]

    /// The kind of the step that ended a call, or nil for a step that does not end one.
    package init?(finalStep step: CallStep) {
        switch step {
        case .responded: self = .ok
        case .errored: self = .requestError
        case .failed(let reason):
            switch reason {
            case .noRPCProvider: self = .noProvider
            case .acceptTimeout: self = .acceptTimeout
            case .responseTimeout: self = .responseTimeout
            case .messageDenied, .messagePermissionError: self = .denied
            default: self = .other
            }
        case .denied: self = .denied
        case .abandoned: self = .other
        case .requested, .routed, .accepted, .rejected, .steered: return nil
        }
    }
}
