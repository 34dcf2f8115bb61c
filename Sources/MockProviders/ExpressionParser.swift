import DeepstreamProtocol

/// Recursive-descent parser of the template expression language:
///
/// ```
/// expression := term (("+" | "-") term)*
/// term       := unary (("*" | "/") unary)*
/// unary      := "-" unary | primary
/// primary    := NUMBER | STRING | "true" | "false" | "null" | "(" expression ")" | path
/// path       := ROOT ("." NAME | "[" INTEGER "]" | "[" STRING "]")*
/// ROOT       := "data" | "name" | "correlationId" | "requestor" | "now"
/// ```
struct ExpressionParser {
    /// The deepest nesting of parentheses and unary minus accepted (keeps recursion bounded).
    static let maximumDepth = 64

    private let tokens: [ExpressionToken]
    private var position = 0
    private var depth = 0
    private let fail: (String, Int) -> TemplateError

    /// Creates a parser over `tokens` (ending with `.end`).
    init(tokens: [ExpressionToken], fail: @escaping (String, Int) -> TemplateError) {
        self.tokens = tokens
        self.fail = fail
    }

    /// Parses the whole token list as one expression.
    mutating func parse() throws(TemplateError) -> ExpressionNode {
        if case .end = current.kind { throw fail("empty expression", current.column) }
        let node = try expression()
        guard case .end = current.kind else {
            throw fail("unexpected \(current.display) after a complete expression", current.column)
        }
        return node
    }

    private var current: ExpressionToken { tokens[position] }

    private mutating func advance() { if position < tokens.count - 1 { position += 1 } }

    private func isSymbol(_ symbol: Character) -> Bool {
        if case .symbol(let s) = current.kind { return s == symbol }
        return false
    }

    private mutating func expression() throws(TemplateError) -> ExpressionNode {
        var node = try term()
        while isSymbol("+") || isSymbol("-") {
            let op: ExpressionNode.Operator = isSymbol("+") ? .add : .subtract
            let column = current.column
            advance()
            node = .binary(op, node, try term(), column: column)
        }
        return node
    }

    private mutating func term() throws(TemplateError) -> ExpressionNode {
        var node = try unary()
        while isSymbol("*") || isSymbol("/") {
            let op: ExpressionNode.Operator = isSymbol("*") ? .multiply : .divide
            let column = current.column
            advance()
            node = .binary(op, node, try unary(), column: column)
        }
        return node
    }

    private mutating func unary() throws(TemplateError) -> ExpressionNode {
        guard isSymbol("-") else { return try primary() }
        let column = current.column
        try enter(column)
        defer { depth -= 1 }
        advance()
        return .negate(try unary(), column: column)
    }

    private mutating func enter(_ column: Int) throws(TemplateError) {
        depth += 1
        if depth > Self.maximumDepth { throw fail("expression nested deeper than \(Self.maximumDepth) levels", column) }
    }

    private mutating func primary() throws(TemplateError) -> ExpressionNode {
        let token = current
        switch token.kind {
        case .number(let text):
            advance()
            guard let number = JSONNumber(text) else { throw fail("malformed number \(text)", token.column) }
            return .literal(.number(number), column: token.column)
        case .string(let text):
            advance()
            return .literal(.string(text), column: token.column)
        case .symbol("("):
            try enter(token.column)
            defer { depth -= 1 }
            advance()
            let inner = try expression()
            guard isSymbol(")") else {
                throw fail("expected ')' to close the '(' at column \(token.column), found \(current.display)", current.column)
            }
            advance()
            return inner
        case .identifier(let name):
            advance()
            switch name {
            case "true": return .literal(.bool(true), column: token.column)
            case "false": return .literal(.bool(false), column: token.column)
            case "null": return .literal(.null, column: token.column)
            default: break
            }
            guard let root = ExpressionNode.Root(rawValue: name) else {
                let roots = ExpressionNode.Root.allCases.map(\.rawValue).joined(separator: ", ")
                throw fail("unknown name '\(name)' (a path starts with one of \(roots))", token.column)
            }
            return try path(root, column: token.column)
        case .symbol, .end:
            throw fail("expected a value, found \(token.display)", token.column)
        }
    }

    private mutating func path(_ root: ExpressionNode.Root, column: Int) throws(TemplateError) -> ExpressionNode {
        var components: [ExpressionNode.Component] = []
        var columns: [Int] = []
        while isSymbol(".") || isSymbol("[") {
            if isSymbol(".") {
                advance()
                guard case .identifier(let member) = current.kind else {
                    throw fail("expected a member name after '.', found \(current.display)", current.column)
                }
                components.append(.member(member))
                columns.append(current.column)
                advance()
            } else {
                let open = current.column
                advance()
                switch current.kind {
                case .number(let text):
                    guard let index = Int(text), index >= 0 else {
                        throw fail("an index must be a non-negative integer, found \(text)", current.column)
                    }
                    components.append(.index(index))
                case .string(let member):
                    components.append(.member(member))
                default:
                    throw fail("expected an index or a quoted member name after '[', found \(current.display)", current.column)
                }
                columns.append(current.column)
                advance()
                guard isSymbol("]") else {
                    throw fail("expected ']' to close the '[' at column \(open), found \(current.display)", current.column)
                }
                advance()
            }
        }
        return .path(root, column: column, components: components, columns: columns)
    }
}
