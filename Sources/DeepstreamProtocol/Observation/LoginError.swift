/// Why `ClientEngine.login(_:)` (DeepstreamClient) failed.
public enum LoginError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The server refused the credentials (`AUTH_UNSUCCESSFUL`); `reason` is its data, if any.
    case rejected(reason: JSONValue?)
    /// The server refused further attempts on this connection (`TOO_MANY_AUTH_ATTEMPTS`, terminal).
    case tooManyAuthAttempts
    /// The server's unauthenticated-client timer expired (`AUTHENTICATION_TIMEOUT`, terminal).
    case authenticationTimeout
    /// The server answered the challenge with REJECT (terminal).
    case challengeDenied
    /// The server said the auth data is not a JSON object (`INVALID_MESSAGE_DATA`), or it was not
    /// an object or array to begin with (checked before sending).
    case invalidAuthData
    /// Another `login` is still waiting for its answer.
    case loginInProgress
    /// The engine is already logged in.
    case alreadyLoggedIn
    /// The engine is in a terminal state or was closed (by `close()` or after the last reconnect
    /// attempt) before the login completed.
    case closed(ConnectionState)
    /// The task awaiting the login was cancelled.
    case cancelled

    /// A one-line explanation.
    public var description: String {
        switch self {
        case .rejected(let reason): "login rejected" + (reason.map { ": \($0.jsonText)" } ?? "")
        case .tooManyAuthAttempts: "TOO_MANY_AUTH_ATTEMPTS"
        case .authenticationTimeout: "AUTHENTICATION_TIMEOUT"
        case .challengeDenied: "CHALLENGE_DENIED"
        case .invalidAuthData: "INVALID_MESSAGE_DATA: auth data must be a JSON object"
        case .loginInProgress: "a login is already in progress"
        case .alreadyLoggedIn: "already logged in"
        case .closed(let state): "connection closed (\(state.rawValue))"
        case .cancelled: "login cancelled"
        }
    }
}
