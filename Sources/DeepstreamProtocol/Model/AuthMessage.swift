/// A message of topic AUTH (auth.proto `AuthMessage`).
public struct AuthMessage: Hashable, Sendable {
    /// Field 1.
    public var action: AuthAction
    /// Field 2: JSON text (login details in REQUEST, clientData in the replies).
    public var data: String?
    /// Field 3.
    public var isError: Bool?
    /// Field 4.
    public var isAck: Bool?

    /// Creates an auth message; every field but the action defaults to absent.
    public init(action: AuthAction, data: String? = nil, isError: Bool? = nil, isAck: Bool? = nil) {
        self.action = action
        self.data = data
        self.isError = isError
        self.isAck = isAck
    }
}
