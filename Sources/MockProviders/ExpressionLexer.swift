/// Splits a template expression into tokens.
///
/// Columns count Unicode scalars from 1 at the start of the enclosing template string, so that errors
/// point into the string the user wrote (`columnOffset` is the column of the expression's first scalar).
struct ExpressionLexer {
    private let scalars: [Unicode.Scalar]
    private let columnOffset: Int
    private let fail: (String, Int) -> TemplateError

    /// Creates a lexer; `fail` builds the syntax error for a message and a column.
    init(expression: Substring.UnicodeScalarView, columnOffset: Int, fail: @escaping (String, Int) -> TemplateError) {
        self.scalars = Array(expression)
        self.columnOffset = columnOffset
        self.fail = fail
    }

    /// All tokens, ending with `.end`.
    func tokens() throws(TemplateError) -> [ExpressionToken] {
        var tokens: [ExpressionToken] = []
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            let column = columnOffset + index
            if scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" {
                index += 1
            } else if "+-*/()[].".unicodeScalars.contains(scalar) {
                // A `.` that starts a number (`.5`) is not allowed: numbers start with a digit.
                tokens.append(ExpressionToken(kind: .symbol(Character(scalar)), column: column))
                index += 1
            } else if scalar.isDigit {
                let start = index
                index = try scanNumber(from: index)
                let text = String(String.UnicodeScalarView(scalars[start..<index]))
                tokens.append(ExpressionToken(kind: .number(text), column: column))
            } else if scalar == "\"" || scalar == "'" {
                let (text, next) = try scanString(from: index)
                tokens.append(ExpressionToken(kind: .string(text), column: column))
                index = next
            } else if scalar.isIdentifierStart {
                let start = index
                while index < scalars.count, scalars[index].isIdentifierStart || scalars[index].isDigit { index += 1 }
                let text = String(String.UnicodeScalarView(scalars[start..<index]))
                tokens.append(ExpressionToken(kind: .identifier(text), column: column))
            } else {
                throw fail("unexpected character '\(Character(scalar))'", column)
            }
        }
        tokens.append(ExpressionToken(kind: .end, column: columnOffset + scalars.count))
        return tokens
    }

    /// Scans `digits [. digits] [e [+-] digits]` and returns the index after it.
    private func scanNumber(from start: Int) throws(TemplateError) -> Int {
        var index = start
        func digits() -> Int {
            let first = index
            while index < scalars.count, scalars[index].isDigit { index += 1 }
            return index - first
        }
        _ = digits()
        if index < scalars.count, scalars[index] == ".", index + 1 < scalars.count, scalars[index + 1].isDigit {
            index += 1
            _ = digits()
        }
        if index < scalars.count, scalars[index] == "e" || scalars[index] == "E" {
            index += 1
            if index < scalars.count, scalars[index] == "+" || scalars[index] == "-" { index += 1 }
            guard digits() > 0 else { throw fail("malformed number exponent", columnOffset + index) }
        }
        if index < scalars.count, scalars[index].isIdentifierStart {
            throw fail("unexpected character '\(Character(scalars[index]))' after a number", columnOffset + index)
        }
        return index
    }

    /// Scans a quoted string with `\\`, `\'`, `\"`, `\n`, `\t` escapes; returns its text and the index
    /// after the closing quote.
    private func scanString(from start: Int) throws(TemplateError) -> (String, Int) {
        let quote = scalars[start]
        var text = String.UnicodeScalarView()
        var index = start + 1
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == quote { return (String(text), index + 1) }
            if scalar == "\\" {
                guard index + 1 < scalars.count else { break }
                let escaped = scalars[index + 1]
                switch escaped {
                case "\\", "'", "\"": text.append(escaped)
                case "n": text.append("\n")
                case "t": text.append("\t")
                default: throw fail("unknown escape '\\\(Character(escaped))' in a string", columnOffset + index)
                }
                index += 2
            } else {
                text.append(scalar)
                index += 1
            }
        }
        throw fail("unterminated string", columnOffset + start)
    }
}

extension Unicode.Scalar {
    fileprivate var isDigit: Bool { ("0"..."9").contains(self) }
    fileprivate var isIdentifierStart: Bool {
        ("a"..."z").contains(self) || ("A"..."Z").contains(self) || self == "_" || self == "$"
    }
}
