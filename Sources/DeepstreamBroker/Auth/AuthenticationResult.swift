import DeepstreamProtocol

/// The outcome of a login check.
public enum AuthenticationResult: Hashable, Sendable {
    /// Logged in as `user`; `clientData` (if any) goes back in AUTH_SUCCESSFUL; `serverData` is what
    /// permission rules see as `user.data`.
    case success(user: String, clientData: JSONValue?, serverData: JSONValue? = nil)
    /// Refused; `clientData` (if any) goes back in AUTH_UNSUCCESSFUL.
    case failure(user: String?, clientData: JSONValue?)
}
