import DeepstreamProtocol

/// A value while a Valve rule is evaluated: JavaScript's value kinds, as far as rules can see them.
///
/// Arrays and objects compare by value (JavaScript compares them by identity; rules that depend on
/// that are not meaningful).
public indirect enum RuleValue: Hashable, Sendable {
    /// JavaScript `undefined` (a missing property, absent request data).
    case undefined
    /// JSON/JavaScript `null`.
    case null
    /// A boolean.
    case bool(Bool)
    /// A number (JavaScript numbers are doubles).
    case number(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([RuleValue])
    /// An object.
    case object([String: RuleValue])
    /// A regular expression literal.
    case regex(SafeRegex)

    /// Converts a JSON value.
    public init(_ json: JSONValue?) {
        guard let json else {
            self = .undefined
            return
        }
        switch json {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .number(let n): self = .number(n.doubleValue)
        case .string(let s): self = .string(s)
        case .array(let items): self = .array(items.map { RuleValue($0) })
        case .object(let members):
            var object: [String: RuleValue] = [:]
            for (key, value) in members { object[key] = RuleValue(value) }
            self = .object(object)
        }
    }

    /// JavaScript truthiness.
    var isTruthy: Bool {
        switch self {
        case .undefined, .null: false
        case .bool(let b): b
        case .number(let n): !(n == 0 || n.isNaN)
        case .string(let s): !s.isEmpty
        case .array, .object, .regex: true
        }
    }

    /// JavaScript `typeof`.
    var typeName: String {
        switch self {
        case .undefined: "undefined"
        case .null, .array, .object, .regex: "object"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        }
    }

    /// JavaScript ToNumber.
    var numberValue: Double {
        switch self {
        case .undefined: return .nan
        case .null: return 0
        case .bool(let b): return b ? 1 : 0
        case .number(let n): return n
        case .string(let s):
            let trimmed = s.trimmingJavaScriptWhitespace()
            if trimmed.isEmpty { return 0 }
            if trimmed.hasPrefix("0x") || trimmed.hasPrefix("0X") {
                return UInt64(trimmed.dropFirst(2), radix: 16).map(Double.init) ?? Double.nan
            }
            if trimmed == "Infinity" || trimmed == "+Infinity" { return .infinity }
            if trimmed == "-Infinity" { return -.infinity }
            // Swift accepts "nan", "inf" and hex floats; JavaScript does not.
            guard trimmed.allSatisfy({ "0123456789.eE+-".contains($0) }) else { return .nan }
            return Double(trimmed) ?? .nan
        case .array, .object, .regex:
            return RuleValue.string(stringValue).numberValue
        }
    }

    /// JavaScript ToString.
    var stringValue: String {
        switch self {
        case .undefined: "undefined"
        case .null: "null"
        case .bool(let b): b ? "true" : "false"
        case .number(let n): Self.format(n)
        case .string(let s): s
        case .array(let items):
            items.map { item in item == .undefined || item == .null ? "" : item.stringValue }.joined(separator: ",")
        case .object: "[object Object]"
        case .regex(let regex): regex.description
        }
    }

    /// JavaScript's Number::toString for the common cases (integers print without a fraction).
    static func format(_ n: Double) -> String {
        if n.isNaN { return "NaN" }
        if n.isInfinite { return n > 0 ? "Infinity" : "-Infinity" }
        if n == 0 { return "0" }
        if n == n.rounded(), abs(n) < 1e21 { return String(Int64(n)) }
        var text = "\(n)"
        // Swift writes 1e-07 where JavaScript writes 1e-7.
        if let e = text.firstIndex(of: "e") {
            var exponent = String(text[text.index(after: e)...])
            let sign = exponent.hasPrefix("-") ? "-" : "+"
            exponent = String(exponent.drop { $0 == "-" || $0 == "+" || $0 == "0" })
            text = String(text[..<e]) + "e" + sign + exponent
        }
        return text
    }

    /// A short rendering for error messages.
    var shortDescription: String {
        switch self {
        case .string(let s): "\"\(s.prefix(40))\""
        case .array: "array"
        case .object: "object"
        default: stringValue
        }
    }
}

extension String {
    func trimmingJavaScriptWhitespace() -> String {
        let scalars = unicodeScalars
        let isSpace: (Unicode.Scalar) -> Bool = { $0.properties.isWhitespace || $0 == "\u{FEFF}" }
        guard let first = scalars.firstIndex(where: { !isSpace($0) }),
            let last = scalars.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(String.UnicodeScalarView(scalars[first...last]))
    }
}
