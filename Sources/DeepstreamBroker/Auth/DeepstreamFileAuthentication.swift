import Crypto
import DeepstreamProtocol
import Foundation
import _CryptoExtras

/// Deepstream's `file` authentication: users with passwords hashed the way `deepstream hash` does
/// (PBKDF2 with the configured digest, iterations and key length; stored as
/// `base64(key) + salt`, where the salt is the base64 text of 16 random bytes used as it is written),
/// or in clear text when the `hash` setting is `false` or absent.
public struct DeepstreamFileAuthentication: Hashable, Sendable {
    /// PBKDF2 settings (`auth[].options.hash`, `iterations`, `keyLength`).
    public struct HashSettings: Hashable, Sendable {
        /// The digest name as written (`md5`, `sha256`, …).
        public var algorithm: String
        /// PBKDF2 iterations.
        public var iterations: Int
        /// Derived key length in bytes.
        public var keyLength: Int

        /// Creates settings; `nil` if the digest is not one swift-crypto's PBKDF2 offers.
        public init?(algorithm: String, iterations: Int, keyLength: Int) {
            guard Self.function(for: algorithm) != nil else { return nil }
            self.algorithm = algorithm
            self.iterations = iterations
            self.keyLength = keyLength
        }

        /// The digests supported (Node's names, compared without case and without an `RSA-` prefix).
        public static let supportedAlgorithms = ["md5", "sha1", "sha224", "sha256", "sha384", "sha512"]

        static func function(for name: String) -> KDF.Insecure.PBKDF2.HashFunction? {
            var key = name.lowercased()
            if key.hasPrefix("rsa-") { key.removeFirst(4) }
            switch key {
            case "md5": return .insecureMD5
            case "sha1": return .insecureSHA1
            case "sha224": return .insecureSHA224
            case "sha256": return .sha256
            case "sha384": return .sha384
            case "sha512": return .sha512
            default: return nil
            }
        }

        /// Length of the base64 text of the derived key (the stored hash's prefix).
        var base64KeyLength: Int { 4 * ((keyLength + 2) / 3) }

        /// `base64(PBKDF2(password, salt))`, the salt being the salt *text*'s UTF-8 bytes.
        public func hash(_ password: String, salt: String) -> String? {
            guard let function = Self.function(for: algorithm),
                let key = try? KDF.Insecure.PBKDF2.deriveKey(
                    from: Array(password.utf8), salt: Array(salt.utf8), using: function, outputByteCount: keyLength,
                    unsafeUncheckedRounds: iterations)
            else { return nil }
            return key.withUnsafeBytes { Data($0) }.base64EncodedString()
        }

        /// A stored password as `deepstream hash` prints it, with a fresh random salt.
        public func storedPassword(for password: String) -> String? {
            var generator = SystemRandomNumberGenerator()
            let salt = Data((0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }).base64EncodedString()
            return hash(password, salt: salt).map { $0 + salt }
        }
    }

    /// One user of the users file.
    public struct User: Hashable, Sendable {
        /// The stored password (hash + salt, or clear text without hashing).
        public var password: String
        /// `serverData`: what permission rules see as `user.data`.
        public var serverData: JSONValue?
        /// `clientData`: sent back in AUTH_SUCCESSFUL and, when enabled, as requestorData.
        public var clientData: JSONValue?

        /// Creates a user.
        public init(password: String, serverData: JSONValue? = nil, clientData: JSONValue? = nil) {
            self.password = password
            self.serverData = serverData
            self.clientData = clientData
        }
    }

    /// Users by name.
    public var users: [String: User]
    /// Hash settings; `nil` compares passwords in clear text (deepstream's `hash: false`).
    public var hash: HashSettings?
    /// Answer bad parameters and wrong passwords (deepstream: true for a single auth entry, false when
    /// several are chained, so the next one is asked).
    public var reportInvalidParameters: Bool

    /// Creates the strategy.
    public init(users: [String: User], hash: HashSettings?, reportInvalidParameters: Bool = true) {
        self.users = users
        self.hash = hash
        self.reportInvalidParameters = reportInvalidParameters
    }

    /// Checks a login; `nil` means "not mine" (the next strategy in the chain is asked).
    public func authenticate(_ authData: JSONValue) -> AuthenticationResult? {
        guard let username = authData["username"]?.stringValue, let password = authData["password"]?.stringValue else {
            guard reportInvalidParameters else { return nil }
            return .failure(
                user: authData["username"]?.stringValue,
                clientData: ["error": "missing authentication parameter: username or/and password"])
        }
        guard let user = users[username] else { return nil }
        let matches: Bool
        if let hash {
            let stored = user.password
            let prefixLength = min(hash.base64KeyLength, stored.utf8.count)
            let expected = String(decoding: Array(stored.utf8)[..<prefixLength], as: UTF8.self)
            let salt = String(decoding: Array(stored.utf8)[prefixLength...], as: UTF8.self)
            matches = hash.hash(password, salt: salt).map {
                PasswordHash.constantTimeEqual(Array($0.utf8), Array(expected.utf8))
            } ?? false
        } else {
            matches = PasswordHash.constantTimeEqual(Array(user.password.utf8), Array(password.utf8))
        }
        if matches {
            return .success(user: username, clientData: user.clientData ?? .null, serverData: user.serverData ?? .null)
        }
        return reportInvalidParameters ? .failure(user: username, clientData: nil) : nil
    }
}
