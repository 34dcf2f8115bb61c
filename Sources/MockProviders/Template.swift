import DeepstreamProtocol

/// A JSON value with `{{expression}}` holes, rendered once per request.
///
/// - A string that is exactly `"{{expr}}"` becomes the expression's JSON value (any type).
/// - `{{expr}}` inside a longer string is replaced by the value as text (strings unquoted, other values
///   as JSON text).
/// - Object keys and everything outside strings are copied as they are.
///
/// All expressions are parsed when the template is created, so syntax errors surface at load time.
package struct Template: Hashable, Sendable {
    /// The template as written.
    package let source: JSONValue
    private let root: TemplateNode

    /// Parses every `{{…}}` in `source`.
    package init(_ source: JSONValue) throws(TemplateError) {
        self.source = source
        self.root = try TemplateNode(source, location: "$")
    }

    /// Whether the template holds any expression (a template without one always renders to itself).
    package var hasExpressions: Bool { root.hasExpressions }

    /// Renders the template for one request.
    package func render(in context: TemplateContext) throws(TemplateError) -> JSONValue {
        try root.render(in: context)
    }

    /// Templates compare by their source (the parsed form follows from it).
    package static func == (lhs: Template, rhs: Template) -> Bool { lhs.source == rhs.source }

    /// Hashes the source.
    package func hash(into hasher: inout Hasher) { hasher.combine(source) }
}

/// The parsed form of a template value.
private indirect enum TemplateNode: Sendable {
    /// A piece of a string with holes.
    enum Part: Sendable {
        case text(String)
        case expression(TemplateExpression)
    }

    case literal(JSONValue)
    case expression(TemplateExpression)
    case interpolation([Part])
    case array([TemplateNode])
    case object([(key: String, value: TemplateNode)])

    init(_ value: JSONValue, location: String) throws(TemplateError) {
        switch value {
        case .null, .bool, .number:
            self = .literal(value)
        case .string(let text):
            self = try Self.parseString(text, location: location)
        case .array(let elements):
            var nodes: [TemplateNode] = []
            for (index, element) in elements.enumerated() {
                nodes.append(try TemplateNode(element, location: "\(location)[\(index)]"))
            }
            self = nodes.allSatisfy(\.isLiteral) ? .literal(value) : .array(nodes)
        case .object(let object):
            var members: [(key: String, value: TemplateNode)] = []
            for member in object {
                members.append((member.key, try TemplateNode(member.value, location: "\(location).\(member.key)")))
            }
            self = members.allSatisfy(\.value.isLiteral) ? .literal(value) : .object(members)
        }
    }

    var isLiteral: Bool {
        if case .literal = self { return true }
        return false
    }

    var hasExpressions: Bool { !isLiteral }

    /// Splits a string into text and `{{…}}` parts. A `}}` inside a quoted string literal of an
    /// expression does not close it.
    private static func parseString(_ text: String, location: String) throws(TemplateError) -> TemplateNode {
        let scalars = Array(text.unicodeScalars)
        var parts: [Part] = []
        var literal = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            if scalars[index] == "{", index + 1 < scalars.count, scalars[index + 1] == "{" {
                let start = index + 2
                guard let end = closingBraces(in: scalars, from: start) else {
                    throw TemplateError(
                        kind: .syntax, message: "'{{' is never closed by '}}'", source: text, column: index + 1,
                        location: location)
                }
                if !literal.isEmpty {
                    parts.append(.text(String(literal)))
                    literal = String.UnicodeScalarView()
                }
                let expression = String(String.UnicodeScalarView(scalars[start..<end]))
                parts.append(.expression(try TemplateExpression(
                    expression: Substring(expression), column: start + 1, source: text, location: location)))
                index = end + 2
            } else {
                literal.append(scalars[index])
                index += 1
            }
        }
        if !literal.isEmpty { parts.append(.text(String(literal))) }
        switch parts.count {
        case 0: return .literal(.string(text))
        case 1:
            switch parts[0] {
            case .text: return .literal(.string(text))
            case .expression(let expression): return .expression(expression)
            }
        default: return .interpolation(parts)
        }
    }

    /// The index of the `}}` that closes an expression starting at `start`, skipping quoted strings.
    private static func closingBraces(in scalars: [Unicode.Scalar], from start: Int) -> Int? {
        var index = start
        var quote: Unicode.Scalar?
        while index < scalars.count {
            let scalar = scalars[index]
            if let open = quote {
                if scalar == "\\" { index += 1 } else if scalar == open { quote = nil }
            } else if scalar == "\"" || scalar == "'" {
                quote = scalar
            } else if scalar == "}", index + 1 < scalars.count, scalars[index + 1] == "}" {
                return index
            }
            index += 1
        }
        return nil
    }

    func render(in context: TemplateContext) throws(TemplateError) -> JSONValue {
        switch self {
        case .literal(let value):
            return value
        case .expression(let expression):
            return try expression.evaluate(in: context)
        case .interpolation(let parts):
            var text = ""
            for part in parts {
                switch part {
                case .text(let literal): text += literal
                case .expression(let expression): text += try expression.evaluate(in: context).interpolationText
                }
            }
            return .string(text)
        case .array(let nodes):
            var values: [JSONValue] = []
            values.reserveCapacity(nodes.count)
            for node in nodes { values.append(try node.render(in: context)) }
            return .array(values)
        case .object(let members):
            var object = JSONObject()
            for member in members { object[member.key] = try member.value.render(in: context) }
            return .object(object)
        }
    }
}
