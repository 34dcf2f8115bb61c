import DeepstreamProtocol

/// What a rule does to a call it fires on.
public enum SteeringAction: Hashable, Sendable {
    /// Hold the REQUEST for a while before it goes to the provider.
    case delayRequest(DelayRange)
    /// Hold the provider's answer (RESPONSE or REQUEST_ERROR) for a while before it goes to the requestor.
    case delayResponse(DelayRange)
    /// Answer the requestor with REQUEST_ERROR carrying `error`; the provider never sees the call.
    case fail(error: JSONValue)
    /// Replace the provider's first answer with a REJECT, so the call is rerouted or ends with
    /// NO_RPC_PROVIDER.
    case reject
    /// Swallow the provider's RESPONSE (or REQUEST_ERROR); the call ends with RESPONSE_TIMEOUT.
    case dropResponse
    /// Keep the REQUEST in the console until the user releases, answers, rejects or drops it
    /// (``HeldCallResolution``); the broker's response timeout keeps running.
    case hold

    /// The name used in the rules file and in call timelines: `delay`, `fail`, `reject`, `drop-response`.
    public var name: String {
        switch self {
        case .delayRequest, .delayResponse: "delay"
        case .fail: "fail"
        case .reject: "reject"
        case .dropResponse: "drop-response"
        case .hold: "hold"
        }
    }
}
