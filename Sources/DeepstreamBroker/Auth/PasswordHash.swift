import Crypto
import Foundation
import _CryptoExtras

/// A salted PBKDF2-HMAC-SHA256 password hash, written `pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>`.
///
/// Passwords are never stored: the users file holds these strings and ``verify(_:)`` derives the key
/// from the offered password and compares in constant time.
public struct PasswordHash: Hashable, Sendable, CustomStringConvertible {
    /// The scheme prefix of the text form.
    public static let scheme = "pbkdf2-sha256"
    /// Iterations for new hashes (OWASP's minimum for PBKDF2-SHA256, enforced by swift-crypto's safe API).
    public static let defaultIterations = 210_000

    /// PBKDF2 iteration count.
    public let iterations: Int
    /// The random salt.
    public let salt: [UInt8]
    /// The derived key.
    public let hash: [UInt8]

    /// Parses the text form; `nil` if it is not `pbkdf2-sha256$<n>$<b64>$<b64>` with n ≥ 1.
    public init?(parsing text: String) {
        let parts = text.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == Self.scheme,
            let iterations = Int(parts[1]), iterations >= 1, iterations <= 100_000_000,
            let salt = Data(base64Encoded: String(parts[2])), !salt.isEmpty,
            let hash = Data(base64Encoded: String(parts[3])), hash.count >= 16
        else { return nil }
        self.iterations = iterations
        self.salt = Array(salt)
        self.hash = Array(hash)
    }

    /// Hashes `password` with a fresh 16-byte random salt.
    public init(hashing password: String, iterations: Int = PasswordHash.defaultIterations) throws {
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        try self.init(hashing: password, salt: salt, iterations: iterations)
    }

    /// Hashes `password` with the given salt (deterministic; for tests and known vectors).
    public init(hashing password: String, salt: [UInt8], iterations: Int) throws {
        self.iterations = iterations
        self.salt = salt
        self.hash = try Self.derive(password, salt: salt, iterations: iterations)
    }

    /// Whether `password` hashes to this value (constant-time comparison of the derived key).
    public func verify(_ password: String) -> Bool {
        guard let derived = try? Self.derive(password, salt: salt, iterations: iterations) else { return false }
        return Self.constantTimeEqual(derived, hash)
    }

    /// The text form.
    public var description: String {
        "\(Self.scheme)$\(iterations)$\(Data(salt).base64EncodedString())$\(Data(hash).base64EncodedString())"
    }

    private static func derive(_ password: String, salt: [UInt8], iterations: Int) throws -> [UInt8] {
        // Hashes read from a users file may use fewer iterations than the safe API's minimum (tests,
        // legacy files); the iteration count is the file author's choice, so the unchecked entry is used.
        let key = try KDF.Insecure.PBKDF2.deriveKey(
            from: Array(password.utf8), salt: salt, using: .sha256, outputByteCount: 32,
            unsafeUncheckedRounds: iterations)
        return key.withUnsafeBytes { Array($0) }
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
