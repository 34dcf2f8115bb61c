import DeepstreamProtocol

/// What a mock provider does with one request: the pure decision that the IO side carries out.
///
/// Only ``respond(_:after:)`` and ``error(_:after:)`` accept the call; the IO side sends ACCEPT at once
/// and the answer `after` the delay, so a long delay does not run into the server's accept timeout.
package enum ProviderPlan: Hashable, Sendable {
    /// Send REJECT at once; the server reroutes the call to another provider.
    case reject
    /// Send nothing at all; the requestor gets ACCEPT_TIMEOUT from the server.
    case neverAccept
    /// Send ACCEPT and nothing else; the requestor gets RESPONSE_TIMEOUT from the server.
    case acceptThenNeverRespond
    /// Send ACCEPT, then RESPONSE with `data` (`nil`: no payload) after `delay`.
    case respond(JSONValue?, after: Duration)
    /// Send ACCEPT, then REQUEST_ERROR with `value` after `delay`.
    case error(JSONValue, after: Duration)

    /// The delay before the answer (zero for plans without an answer).
    package var delay: Duration {
        switch self {
        case .respond(_, let delay), .error(_, let delay): delay
        case .reject, .neverAccept, .acceptThenNeverRespond: .zero
        }
    }

    /// Whether the plan sends ACCEPT.
    package var accepts: Bool {
        switch self {
        case .respond, .error, .acceptThenNeverRespond: true
        case .reject, .neverAccept: false
        }
    }
}
