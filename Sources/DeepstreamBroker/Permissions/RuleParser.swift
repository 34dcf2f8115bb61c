/// Parses Valve rule expressions: the subset of JavaScript that deepstream's rule validator lets
/// through and that can mean something without records (no `_()` cross references).
///
/// Bounded: rules longer than ``maximumLength`` characters, nested deeper than ``maximumDepth`` or
/// with more than ``maximumNodes`` nodes are refused, so evaluation is bounded by the rule's size.
public struct RuleParser {
    /// The methods deepstream's rule validator allows (its `_` cross reference is refused separately).
    public static let supportedMethods: Set<String> = [
        "startsWith", "endsWith", "includes", "indexOf", "match", "toUpperCase", "toLowerCase", "trim",
    ]
    /// Longest rule accepted, in characters.
    public static let maximumLength = 4096
    /// Deepest nesting accepted.
    public static let maximumDepth = 64
    /// Most syntax nodes accepted in one rule.
    public static let maximumNodes = 1024

    /// Why a rule does not parse; reads as one line.
    public struct Failure: Error, Hashable, Sendable, CustomStringConvertible {
        /// The explanation.
        public let message: String
        /// Creates a failure.
        public init(_ message: String) { self.message = message }
        /// The explanation.
        public var description: String { message }
    }

    enum Token: Hashable {
        case number(Double)
        case string(String)
        case identifier(String)
        case regex(SafeRegex)
        case punctuator(String)
        case end
    }

    private var tokens: [Token] = []
    private var position = 0
    private var depth = 0
    private var nodes = 0

    /// Parses one rule.
    public static func parse(_ source: String) throws(Failure) -> RuleExpression {
        guard source.count <= maximumLength else {
            throw Failure("rule is longer than \(maximumLength) characters")
        }
        var parser = RuleParser()
        var lexer = Lexer(source)
        parser.tokens = try lexer.tokenize()
        let expression = try parser.expression()
        guard parser.current == .end else { throw Failure("unexpected \(parser.describe(parser.current))") }
        return expression
    }

    private var current: Token { tokens[position] }

    private mutating func advance() -> Token {
        let token = tokens[position]
        if position < tokens.count - 1 { position += 1 }
        return token
    }

    private mutating func take(_ punctuator: String) -> Bool {
        guard current == .punctuator(punctuator) else { return false }
        position += 1
        return true
    }

    private mutating func expect(_ punctuator: String) throws(Failure) {
        guard take(punctuator) else { throw Failure("expected \"\(punctuator)\" but found \(describe(current))") }
    }

    private func describe(_ token: Token) -> String {
        switch token {
        case .number(let n): "number \(RuleValue.format(n))"
        case .string: "a string"
        case .identifier(let name): "\"\(name)\""
        case .regex: "a regular expression"
        case .punctuator(let p): "\"\(p)\""
        case .end: "the end of the rule"
        }
    }

    private mutating func node(_ expression: RuleExpression) throws(Failure) -> RuleExpression {
        nodes += 1
        guard nodes <= Self.maximumNodes else { throw Failure("rule has more than \(Self.maximumNodes) parts") }
        return expression
    }

    private mutating func nested<T>(_ body: (inout RuleParser) throws(Failure) -> T) throws(Failure) -> T {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maximumDepth else { throw Failure("rule is nested deeper than \(Self.maximumDepth) levels") }
        return try body(&self)
    }

    // MARK: Grammar (JavaScript precedence)

    private mutating func expression() throws(Failure) -> RuleExpression {
        try nested { (p: inout RuleParser) throws(Failure) in try p.conditional() }
    }

    private mutating func conditional() throws(Failure) -> RuleExpression {
        let test = try logicalOr()
        guard take("?") else {
            if case .punctuator(let p) = current, ["=", "+=", "-=", "*=", "/=", "%=", "++", "--"].contains(p) {
                throw Failure("rule can't assign (\"\(p)\")")
            }
            return test
        }
        let then = try expression()
        try expect(":")
        let otherwise = try expression()
        return try node(.conditional(test, then, otherwise))
    }

    private mutating func logicalOr() throws(Failure) -> RuleExpression {
        var left = try logicalAnd()
        while take("||") { left = try node(.or(left, try logicalAnd())) }
        if current == .punctuator("??") { throw Failure("operator \"??\" is not supported") }
        return left
    }

    private mutating func logicalAnd() throws(Failure) -> RuleExpression {
        var left = try binary(level: 0)
        while take("&&") { left = try node(.and(left, try binary(level: 0))) }
        return left
    }

    private static let binaryLevels: [[String]] = [
        ["===", "!==", "==", "!="],
        ["<", "<=", ">", ">="],
        ["+", "-"],
        ["*", "/", "%"],
    ]

    private mutating func binary(level: Int) throws(Failure) -> RuleExpression {
        guard level < Self.binaryLevels.count else { return try unary() }
        var left = try binary(level: level + 1)
        while case .punctuator(let p) = current, Self.binaryLevels[level].contains(p) {
            position += 1
            let right = try binary(level: level + 1)
            left = try node(.binary(p, left, right))
        }
        return left
    }

    private mutating func unary() throws(Failure) -> RuleExpression {
        if case .punctuator(let p) = current, ["!", "-", "+"].contains(p) {
            position += 1
            let operand = try nested { (p: inout RuleParser) throws(Failure) in try p.unary() }
            return try node(.unary(p, operand))
        }
        if current == .identifier("typeof") {
            position += 1
            let operand = try nested { (p: inout RuleParser) throws(Failure) in try p.unary() }
            return try node(.unary("typeof", operand))
        }
        return try postfix()
    }

    private mutating func postfix() throws(Failure) -> RuleExpression {
        var result = try primary()
        while true {
            if take(".") || take("?.") {
                guard case .identifier(let name) = advance() else {
                    throw Failure("expected a property name after \".\"")
                }
                if current == .punctuator("(") {
                    result = try call(on: result, method: name)
                } else {
                    result = try node(.member(result, key: .literal(.string(name))))
                }
            } else if take("[") {
                let key = try expression()
                try expect("]")
                if current == .punctuator("("), case .literal(.string(let name)) = key {
                    result = try call(on: result, method: name)
                } else {
                    result = try node(.member(result, key: key))
                }
            } else if current == .punctuator("(") {
                throw Failure("only the methods \(Self.supportedMethods.sorted().joined(separator: ", ")) can be called")
            } else {
                return result
            }
        }
    }

    private mutating func call(on object: RuleExpression, method: String) throws(Failure) -> RuleExpression {
        guard Self.supportedMethods.contains(method) else { throw Failure("function \(method) is not supported") }
        try expect("(")
        var arguments: [RuleExpression] = []
        if !take(")") {
            repeat { arguments.append(try expression()) } while take(",")
            try expect(")")
        }
        return try node(.methodCall(object, method: method, arguments: arguments))
    }

    private mutating func primary() throws(Failure) -> RuleExpression {
        switch advance() {
        case .number(let n): return try node(.literal(.number(n)))
        case .string(let s): return try node(.literal(.string(s)))
        case .regex(let r): return try node(.literal(.regex(r)))
        case .identifier(let name):
            switch name {
            case "true": return try node(.literal(.bool(true)))
            case "false": return try node(.literal(.bool(false)))
            case "null": return try node(.literal(.null))
            case "new": throw Failure("rule can't contain the new keyword")
            case "function": throw Failure("rule can't contain user functions")
            case "_":
                throw Failure("cross references _() read records, which the embedded broker does not have")
            case "this", "var", "let", "const", "return", "delete", "void", "in", "instanceof", "await", "yield",
                "import", "class", "if", "for", "while":
                throw Failure("\"\(name)\" is not supported in rules")
            default:
                if current == .punctuator("(") { throw Failure("function \(name) is not supported") }
                if current == .punctuator("=>") { throw Failure("rule can't contain user functions") }
                return try node(.identifier(name))
            }
        case .punctuator("("):
            let inner = try expression()
            if current == .punctuator("=>") || current == .punctuator(",") {
                throw Failure("rule can't contain user functions")
            }
            try expect(")")
            return inner
        case .punctuator("["):
            var items: [RuleExpression] = []
            if !take("]") {
                repeat { items.append(try expression()) } while take(",")
                try expect("]")
            }
            return try node(.arrayLiteral(items))
        case let token:
            throw Failure("unexpected \(describe(token))")
        }
    }
}

/// Splits a rule into tokens. A `/` starts a regular expression literal where an operand is expected.
struct Lexer {
    private let scalars: [Unicode.Scalar]
    private var index = 0
    private var tokens: [RuleParser.Token] = []

    init(_ source: String) { scalars = Array(source.unicodeScalars) }

    private static let punctuators = [
        "===", "!==", "?.", "??", "=>", "==", "!=", "<=", ">=", "&&", "||", "++", "--", "+=", "-=", "*=", "/=",
        "%=", "<", ">", "+", "-", "*", "/", "%", "!", "?", ":", ".", ",", "(", ")", "[", "]", "=", "{", "}", "&", "|",
        "^", "~", ";",
    ]
    private static let unsupported: Set<String> = ["{", "}", "&", "|", "^", "~", ";"]

    mutating func tokenize() throws(RuleParser.Failure) -> [RuleParser.Token] {
        while true {
            while index < scalars.count, scalars[index].properties.isWhitespace { index += 1 }
            guard index < scalars.count else { break }
            let c = scalars[index]
            if Self.isDigit(c) || (c == "." && index + 1 < scalars.count && Self.isDigit(scalars[index + 1])) {
                tokens.append(.number(try number()))
            } else if c == "\"" || c == "'" || c == "`" {
                tokens.append(.string(try string(quote: c)))
            } else if Self.isIdentifierStart(c) {
                let start = index
                while index < scalars.count, Self.isIdentifierPart(scalars[index]) { index += 1 }
                let name = String(String.UnicodeScalarView(scalars[start..<index]))
                // Checked while lexing, as deepstream's validator checks them before anything else.
                if name == "new" { throw .init("rule can't contain the new keyword") }
                if name == "function" { throw .init("rule can't contain user functions") }
                tokens.append(.identifier(name))
            } else if c == "/" && expectsOperand {
                tokens.append(.regex(try regex()))
            } else {
                guard let p = Self.punctuators.first(where: { matches($0) }) else {
                    throw .init("unexpected character \"\(c)\"")
                }
                if p == "=>" { throw .init("rule can't contain user functions") }
                if Self.unsupported.contains(p) { throw .init("\"\(p)\" is not supported in rules") }
                index += p.unicodeScalars.count
                tokens.append(.punctuator(p))
            }
        }
        tokens.append(.end)
        return tokens
    }

    private var expectsOperand: Bool {
        switch tokens.last {
        case nil: true
        case .punctuator(let p): p != ")" && p != "]"
        case .identifier(let name): ["typeof", "return"].contains(name)
        default: false
        }
    }

    private func matches(_ punctuator: String) -> Bool {
        var i = index
        for s in punctuator.unicodeScalars {
            guard i < scalars.count, scalars[i] == s else { return false }
            i += 1
        }
        return true
    }

    private static func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }
    private static func isIdentifierStart(_ c: Unicode.Scalar) -> Bool {
        c == "$" || c == "_" || c.properties.isAlphabetic
    }
    private static func isIdentifierPart(_ c: Unicode.Scalar) -> Bool {
        isIdentifierStart(c) || isDigit(c)
    }

    private mutating func number() throws(RuleParser.Failure) -> Double {
        let start = index
        if scalars[index] == "0", index + 1 < scalars.count, scalars[index + 1] == "x" || scalars[index + 1] == "X" {
            index += 2
            let digitsStart = index
            while index < scalars.count, scalars[index].properties.isASCIIHexDigit { index += 1 }
            guard let value = UInt64(String(String.UnicodeScalarView(scalars[digitsStart..<index])), radix: 16) else {
                throw .init("invalid number")
            }
            return Double(value)
        }
        while index < scalars.count, Self.isDigit(scalars[index]) || scalars[index] == "." { index += 1 }
        if index < scalars.count, scalars[index] == "e" || scalars[index] == "E" {
            index += 1
            if index < scalars.count, scalars[index] == "+" || scalars[index] == "-" { index += 1 }
            while index < scalars.count, Self.isDigit(scalars[index]) { index += 1 }
        }
        let text = String(String.UnicodeScalarView(scalars[start..<index]))
        guard let value = Double(text) else { throw .init("invalid number \(text)") }
        if index < scalars.count, Self.isIdentifierStart(scalars[index]) { throw .init("invalid number \(text)") }
        return value
    }

    private mutating func string(quote: Unicode.Scalar) throws(RuleParser.Failure) -> String {
        index += 1
        var result = String.UnicodeScalarView()
        while index < scalars.count {
            let c = scalars[index]
            index += 1
            if c == quote { return String(result) }
            if quote == "`" && c == "$" && index < scalars.count && scalars[index] == "{" {
                throw .init("template substitutions are not supported")
            }
            guard c == "\\" else {
                if c == "\n" && quote != "`" { throw .init("unterminated string") }
                result.append(c)
                continue
            }
            guard index < scalars.count else { break }
            let e = scalars[index]
            index += 1
            switch e {
            case "n": result.append("\n")
            case "t": result.append("\t")
            case "r": result.append("\r")
            case "b": result.append("\u{8}")
            case "f": result.append("\u{C}")
            case "v": result.append("\u{B}")
            case "0": result.append("\u{0}")
            case "x": result.append(try hexScalar(digits: 2))
            case "u":
                if index < scalars.count, scalars[index] == "{" {
                    index += 1
                    let start = index
                    while index < scalars.count, scalars[index] != "}" { index += 1 }
                    let hex = String(String.UnicodeScalarView(scalars[start..<min(index, scalars.count)]))
                    index += 1
                    guard let v = UInt32(hex, radix: 16), let s = Unicode.Scalar(v) else { throw .init("invalid escape") }
                    result.append(s)
                } else {
                    result.append(try hexScalar(digits: 4))
                }
            case "\n": break
            default: result.append(e)
            }
        }
        throw .init("unterminated string")
    }

    private mutating func hexScalar(digits: Int) throws(RuleParser.Failure) -> Unicode.Scalar {
        guard index + digits <= scalars.count,
            let v = UInt32(String(String.UnicodeScalarView(scalars[index..<index + digits])), radix: 16)
        else { throw .init("invalid escape") }
        index += digits
        // A lone surrogate cannot be a Swift scalar; rules comparing them are not meaningful.
        return Unicode.Scalar(v) ?? "\u{FFFD}"
    }

    private mutating func regex() throws(RuleParser.Failure) -> SafeRegex {
        index += 1
        var pattern = String.UnicodeScalarView()
        var inClass = false
        while true {
            guard index < scalars.count, scalars[index] != "\n" else { throw .init("unterminated regular expression") }
            let c = scalars[index]
            index += 1
            if c == "\\" {
                guard index < scalars.count else { throw .init("unterminated regular expression") }
                pattern.append(c)
                pattern.append(scalars[index])
                index += 1
                continue
            }
            if c == "[" { inClass = true } else if c == "]" { inClass = false } else if c == "/" && !inClass { break }
            pattern.append(c)
        }
        let flagsStart = index
        while index < scalars.count, Self.isIdentifierPart(scalars[index]) { index += 1 }
        let flags = String(String.UnicodeScalarView(scalars[flagsStart..<index]))
        do { return try SafeRegex(pattern: String(pattern), flags: flags) } catch {
            throw .init("regular expression /\(String(pattern))/: \(error.message)")
        }
    }
}
