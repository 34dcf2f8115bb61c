import DeepstreamProtocol

/// One difference between two JSON values, at a path.
package struct JSONDifference: Hashable, Sendable, CustomStringConvertible {
    /// What differs.
    package enum Kind: Hashable, Sendable {
        /// Only the new value has something here.
        case added(JSONValue)
        /// Only the old value has something here.
        case removed(JSONValue)
        /// Both have something here, and it differs (including a different type).
        case changed(from: JSONValue, to: JSONValue)
    }

    /// Where.
    package var path: JSONPath
    /// What.
    package var kind: Kind

    /// Creates a difference.
    package init(path: JSONPath, kind: Kind) {
        self.path = path
        self.kind = kind
    }

    /// `added`, `removed` or `changed`.
    package var kindName: String {
        switch kind {
        case .added: "added"
        case .removed: "removed"
        case .changed: "changed"
        }
    }

    /// `+ $.a: 1`, `- $.b: "x"`, `~ $.c: 1 -> "1"`.
    package var description: String {
        switch kind {
        case .added(let value): "+ \(path): \(value.jsonText)"
        case .removed(let value): "- \(path): \(value.jsonText)"
        case .changed(let from, let to): "~ \(path): \(from.jsonText) -> \(to.jsonText)"
        }
    }
}
