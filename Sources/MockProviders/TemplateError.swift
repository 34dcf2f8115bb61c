/// Why a template could not be parsed (at load time) or evaluated (at call time), and where.
package struct TemplateError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Whether the template text is malformed or a request did not fit it.
    package enum Kind: String, Hashable, Sendable {
        /// Bad syntax, found when the template is loaded.
        case syntax
        /// Unknown path, type mismatch, division by zero, …, found when a request is served.
        case evaluation
    }

    /// Syntax or evaluation.
    package var kind: Kind
    /// What went wrong, e.g. `data has no member 'numC'`.
    package var message: String
    /// The string of the template that holds the expression, e.g. `{{data.numA + data.numC}}`.
    package var source: String
    /// 1-based column in ``source`` (in Unicode scalars) where it went wrong.
    package var column: Int
    /// Where ``source`` sits in the template's JSON value, e.g. `$.total` or `$` for the root.
    package var location: String

    /// Creates an error.
    package init(kind: Kind, message: String, source: String, column: Int, location: String = "$") {
        self.kind = kind
        self.message = message
        self.source = source
        self.column = column
        self.location = location
    }

    /// One line, e.g. `data has no member 'numC' at column 15 of "{{data.numA + data.numC}}"`, with
    /// ` (at $.total)` appended when the string is not the template's root.
    package var description: String {
        let quoted = "\"" + source.escapedForOneLine() + "\""
        let place = location == "$" ? "" : " (at \(location))"
        return "\(message.escapedForOneLine(quotes: false)) at column \(column) of \(quoted)\(place.escapedForOneLine(quotes: false))"
    }
}

extension String {
    /// The text with line breaks and other control characters escaped (and `"`, `\\` too when
    /// `quotes`), so that it fits on one line inside double quotes.
    func escapedForOneLine(quotes: Bool = true) -> String {
        var out = ""
        for scalar in unicodeScalars {
            switch scalar {
            case "\"" where quotes: out += "\\\""
            case "\\" where quotes: out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                // Other control characters would break the one-line promise: show them as \u{…}.
                if scalar.value < 0x20 || scalar.value == 0x7f {
                    out += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
