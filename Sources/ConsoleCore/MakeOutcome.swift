import DeepstreamProtocol

/// How a `make` the console asked for ended, as the runtime reports it back.
package enum MakeOutcome: Hashable, Sendable {
    /// The provider answered with RESPONSE (`nil` = no payload).
    case response(JSONValue?)
    /// The provider answered with REQUEST_ERROR.
    case requestError(JSONValue?)
    /// The call failed without a provider's answer: `NO_RPC_PROVIDER`, `RESPONSE_TIMEOUT`,
    /// "client offline", ….
    case failed(reason: String)

    /// Whether the call succeeded.
    package var isSuccess: Bool {
        if case .response = self { return true }
        return false
    }
}
