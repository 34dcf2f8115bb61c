import DeepstreamProtocol
import Foundation

/// The users allowed to log in, read from a JSON file:
/// `{"alice": {"password": "pbkdf2-sha256$…", "clientData": {…}}, …}` (see docs/broker.md).
public struct UsersFile: Sendable, Hashable {
    /// One user's entry.
    public struct User: Sendable, Hashable {
        /// The salted password hash.
        public var password: PasswordHash
        /// Sent back in AUTH_SUCCESSFUL and, when enabled, to providers as `requestorData`.
        /// `nil` means absent in the file (the reply then carries JSON `null`, as the reference's file auth).
        public var clientData: JSONValue?

        /// Creates a user entry.
        public init(password: PasswordHash, clientData: JSONValue? = nil) {
            self.password = password
            self.clientData = clientData
        }
    }

    /// Users by name.
    public var users: [String: User]

    /// Creates a users table.
    public init(users: [String: User]) { self.users = users }

    /// Reads and validates a users file; plaintext passwords are refused.
    public static func load(fromFile path: String) throws(BrokerConfigurationError) -> UsersFile {
        try parse(BrokerConfiguration.readJSONFile(path), source: path)
    }

    /// Builds the table from a users file's JSON value.
    public static func parse(_ json: JSONValue, source: String = "users") throws(BrokerConfigurationError) -> UsersFile {
        guard case .object(let root) = json else {
            throw .invalidValue(source: source, key: "(top level)", expected: "a JSON object of users")
        }
        var users: [String: User] = [:]
        for (name, entry) in root {
            guard case .object(let fields) = entry else {
                throw .invalidValue(source: source, key: name, expected: "an object with \"password\"")
            }
            var hash: PasswordHash?
            var clientData: JSONValue?
            for (key, value) in fields {
                switch key {
                case "password":
                    guard case .string(let text) = value, let parsed = PasswordHash(parsing: text) else {
                        throw .invalidValue(
                            source: source, key: "\(name).password",
                            expected: "a hash made by `dsconsole hash` (pbkdf2-sha256$…), never a plaintext password")
                    }
                    hash = parsed
                case "clientData": clientData = value
                default: throw .unknownKey(source: source, key: "\(name).\(key)")
                }
            }
            guard let hash else {
                throw .invalidValue(source: source, key: "\(name).password", expected: "present")
            }
            users[name] = User(password: hash, clientData: clientData)
        }
        return UsersFile(users: users)
    }
}
