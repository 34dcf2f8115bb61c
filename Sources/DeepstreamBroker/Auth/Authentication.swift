import DeepstreamProtocol

/// Who may log in to the broker.
public enum Authentication: Sendable, Hashable {
    /// Anyone (the reference server's `none` auth): the user id is the `username` in the login data,
    /// or `"open"`, and AUTH_SUCCESSFUL carries no clientData.
    case open
    /// Users from a users file, checked by salted password hash.
    case users(UsersFile)
    /// Deepstream's `auth` list from its own configuration: each strategy is asked in order and the
    /// first that answers decides; when none does, the login fails.
    case chain([DeepstreamAuthenticationStrategy])

    /// Whether checking a login is slow (password hashing) and belongs off the event loop.
    public var isExpensive: Bool {
        switch self {
        case .open: false
        case .users: true
        case .chain(let strategies):
            strategies.contains { if case .file(let file) = $0 { file.hash != nil } else { false } }
        }
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
        case .chain(let strategies):
            for strategy in strategies {
                switch strategy {
                case .open:
                    // Deepstream: `(authData.username && authData.username.toString()) || 'open'`.
                    let name = authData["username"].map { $0.stringValue ?? $0.jsonText } ?? ""
                    let falsy = ["", "null", "false", "0"].contains(name) && authData["username"]?.stringValue == nil
                    return .success(user: name.isEmpty || falsy ? "open" : name, clientData: nil)
                case .file(let file):
                    if let result = file.authenticate(authData) { return result }
                }
            }
            return .failure(user: authData["username"]?.stringValue, clientData: nil)
        }
    }
}

/// One entry of deepstream's `auth` list that the embedded broker supports.
public enum DeepstreamAuthenticationStrategy: Hashable, Sendable {
    /// `type: none`: everyone may log in; the user id is the `username` in the login data, or `open`.
    case open
    /// `type: file`: users from a users file (inline or `fileLoad(users.yml)`).
    case file(DeepstreamFileAuthentication)
}
