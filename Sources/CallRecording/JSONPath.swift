/// A location inside a JSON value: the member names and array indexes leading to it from the root.
///
/// Written like a JSONPath: `$` is the root, `.name` a member with a plain name, `["a b"]` any other
/// member name, `[3]` an array element (`$.items[2].id`).
package struct JSONPath: Hashable, Sendable, CustomStringConvertible {
    /// One step from a value to a part of it.
    package enum Component: Hashable, Sendable {
        /// An object member.
        case key(String)
        /// An array element (0-based).
        case index(Int)
    }

    /// The steps from the root.
    package var components: [Component]

    /// The root (`$`).
    package static let root = JSONPath(components: [])

    /// Creates a path from its steps.
    package init(components: [Component]) { self.components = components }

    /// This path followed by `component`.
    package func appending(_ component: Component) -> JSONPath {
        JSONPath(components: components + [component])
    }

    /// `$`, `$.a.b`, `$.items[2]`, `$["a b"]`.
    package var description: String {
        var text = "$"
        for component in components {
            switch component {
            case .key(let key): text += Self.isPlainName(key) ? ".\(key)" : "[\(Self.quoted(key))]"
            case .index(let index): text += "[\(index)]"
            }
        }
        return text
    }

    /// Whether `key` can be written after a dot: a letter, `_` or `$` first, then letters, digits, `_`, `$`, `-`.
    static func isPlainName(_ key: String) -> Bool {
        guard let first = key.unicodeScalars.first, first.isASCIILetter || first == "_" || first == "$" else { return false }
        return key.unicodeScalars.allSatisfy { $0.isASCIILetter || ("0"..."9").contains($0) || $0 == "_" || $0 == "$" || $0 == "-" }
    }

    /// `key` as a double-quoted string with `"` and `\` escaped.
    static func quoted(_ key: String) -> String {
        var text = "\""
        for character in key {
            if character == "\"" || character == "\\" { text.append("\\") }
            text.append(character)
        }
        return text + "\""
    }
}

extension Unicode.Scalar {
    /// Whether the scalar is `a`…`z` or `A`…`Z`.
    var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
}
