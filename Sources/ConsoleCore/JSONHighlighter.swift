import DeepstreamProtocol

/// Pretty-prints a JSON value as styled lines (two-space indent), keys, strings, numbers, literals
/// and punctuation each in their theme role.
package enum JSONHighlighter {
    /// The most lines produced for one value; the detail view is rebuilt per frame, so a multi-megabyte
    /// payload must not turn into millions of lines.
    package static let lineLimit = 5_000

    /// The styled lines of `value`, each prefixed with `indent`, cut after `limit` lines (then the last
    /// line says how many were left out).
    ///
    /// With `foldDepth`, objects and arrays nested that deep (the top-level value is depth 0) are
    /// shown folded as `{… 3 keys}` / `[… 12 items]`: `foldDepth: 1` keeps the first level expanded.
    package static func lines(_ value: JSONValue, indent: String = "", limit: Int = lineLimit, foldDepth: Int? = nil) -> [StyledLine] {
        var lines: [StyledLine] = []
        var current = StyledLine([StyledSpan(indent)])
        write(value, level: 0, indent: indent, foldDepth: foldDepth, into: &lines, current: &current)
        lines.append(current)
        guard lines.count > limit else { return lines }
        let omitted = lines.count - limit
        return Array(lines.prefix(limit)) + [StyledLine(indent + "… \(omitted) more lines", .dim)]
    }

    /// Styled lines for a payload's JSON text; text that does not parse is shown as it is.
    package static func lines(jsonText: String?, indent: String = "", limit: Int = lineLimit, foldDepth: Int? = nil) -> [StyledLine] {
        guard let jsonText else { return [StyledLine(indent + "(no payload)", .dim)] }
        guard let value = try? JSONValue(parsing: jsonText) else { return [StyledLine(indent + jsonText)] }
        return lines(value, indent: indent, limit: limit, foldDepth: foldDepth)
    }

    private static func write(
        _ value: JSONValue, level: Int, indent: String, foldDepth: Int?, into lines: inout [StyledLine], current: inout StyledLine
    ) {
        if let foldDepth, level >= foldDepth {
            switch value {
            case .array(let elements) where !elements.isEmpty:
                current.spans.append(StyledSpan("[… \(elements.count) item\(elements.count == 1 ? "" : "s")]", .dim))
                return
            case .object(let object) where object.count > 0:
                current.spans.append(StyledSpan("{… \(object.count) key\(object.count == 1 ? "" : "s")}", .dim))
                return
            default: break
            }
        }
        func newline(_ level: Int) {
            lines.append(current)
            current = StyledLine([StyledSpan(indent + String(repeating: "  ", count: level))])
        }
        switch value {
        case .null: current.spans.append(StyledSpan("null", .jsonLiteral))
        case .bool(let flag): current.spans.append(StyledSpan(flag ? "true" : "false", .jsonLiteral))
        case .number(let number): current.spans.append(StyledSpan(number.text, .jsonNumber))
        case .string: current.spans.append(StyledSpan(value.jsonText, .jsonString))
        case .array(let elements):
            guard !elements.isEmpty else {
                current.spans.append(StyledSpan("[]", .jsonPunctuation))
                return
            }
            current.spans.append(StyledSpan("[", .jsonPunctuation))
            for (offset, element) in elements.enumerated() {
                newline(level + 1)
                write(element, level: level + 1, indent: indent, foldDepth: foldDepth, into: &lines, current: &current)
                if offset < elements.count - 1 { current.spans.append(StyledSpan(",", .jsonPunctuation)) }
            }
            newline(level)
            current.spans.append(StyledSpan("]", .jsonPunctuation))
        case .object(let object):
            guard object.count > 0 else {
                current.spans.append(StyledSpan("{}", .jsonPunctuation))
                return
            }
            current.spans.append(StyledSpan("{", .jsonPunctuation))
            for (offset, member) in object.members.enumerated() {
                newline(level + 1)
                current.spans.append(StyledSpan(JSONValue.string(member.key).jsonText, .jsonKey))
                current.spans.append(StyledSpan(": ", .jsonPunctuation))
                write(member.value, level: level + 1, indent: indent, foldDepth: foldDepth, into: &lines, current: &current)
                if offset < object.count - 1 { current.spans.append(StyledSpan(",", .jsonPunctuation)) }
            }
            newline(level)
            current.spans.append(StyledSpan("}", .jsonPunctuation))
        }
    }
}
