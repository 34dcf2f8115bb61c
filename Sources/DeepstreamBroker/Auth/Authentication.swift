import DeepstreamProtocol

/// Who may log in to the broker.
public enum Authentication: Sendable, Hashable {
    /// Anyone (the reference server's `none` auth): the user id is the `username` in the login data,
    /// or `"open"`, and AUTH_SUCCESSFUL carries no clientData.
    case open
    /// Users from a users file, checked by salted password hash.
    case users(UsersFile)

    /// Whether checking a login is slow (password hashing) and belongs off the event loop.
    public var isExpensive: Bool {
        if case .users = self { return true }
        return false
    }

    /// Checks login data (a JSON object or array, already validated by the session).
    public func authenticate(_ authData: JSONValue) -> AuthenticationResult {
        switch self {
        case .open:
            return .success(user: authData["username"]?.stringValue ?? "open", clientData: nil)
        case .users(let file):
            guard let username = authData["username"]?.stringValue else {
                return .failure(user: nil, clientData: ["error": "missing authentication parameter: username"])
            }
            guard let password = authData["password"]?.stringValue else {
                return .failure(user: username, clientData: ["error": "missing authentication parameter: password"])
            }
            guard let user = file.users[username] else {
                // Spend the same time as for a known user so response timing does not reveal user names.
                let iterations = file.users.values.first?.password.iterations ?? PasswordHash.defaultIterations
                _ = try? PasswordHash(hashing: password, salt: Array(repeating: 7, count: 16), iterations: iterations)
                return .failure(user: username, clientData: nil)
            }
            guard user.password.verify(password) else { return .failure(user: username, clientData: nil) }
            return .success(user: username, clientData: user.clientData ?? .null)
        }
    }
}
