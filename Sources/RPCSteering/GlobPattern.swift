/// A glob over RPC and user names: `*` matches any run of characters (also none, also dots), `?` exactly
/// one character, everything else itself. Matching is linear in practice (greedy star with one backtrack
/// point), so a hostile pattern cannot make a call slow.
public struct GlobPattern: Hashable, Sendable, CustomStringConvertible {
    /// The pattern as written.
    public let text: String
    private let scalars: [Unicode.Scalar]
    /// Whether the pattern has no wildcard, so matching is one string comparison.
    private let isLiteral: Bool

    /// Creates a pattern; every string is a valid pattern.
    public init(_ text: String) {
        self.text = text
        self.scalars = Array(text.unicodeScalars)
        self.isLiteral = !scalars.contains("*") && !scalars.contains("?")
    }

    /// The pattern as written.
    public var description: String { text }

    /// Whether `name` matches the whole pattern.
    public func matches(_ name: String) -> Bool {
        if isLiteral { return name == text }
        let subject = Array(name.unicodeScalars)
        var p = 0
        var s = 0
        var star: Int?
        var resume = 0
        while s < subject.count {
            if p < scalars.count, scalars[p] == "?" || scalars[p] == subject[s] {
                p += 1
                s += 1
            } else if p < scalars.count, scalars[p] == "*" {
                star = p
                resume = s
                p += 1
            } else if let star {
                p = star + 1
                resume += 1
                s = resume
            } else {
                return false
            }
        }
        while p < scalars.count, scalars[p] == "*" { p += 1 }
        return p == scalars.count
    }
}
