import DeepstreamProtocol

/// The outcome of a login check.
public enum AuthenticationResult: Hashable, Sendable {
    /// Logged in as `user`; `clientData` (if any) goes back in AUTH_SUCCESSFUL.
    case success(user: String, clientData: JSONValue?)
    /// Refused; `clientData` (if any) goes back in AUTH_UNSUCCESSFUL.
    case failure(user: String?, clientData: JSONValue?)
}
