/// A token of the template expression language, with the column where it starts.
struct ExpressionToken: Hashable, Sendable {
    /// What kind of token.
    enum Kind: Hashable, Sendable {
        /// A number literal, kept as its text.
        case number(String)
        /// A quoted string literal, unescaped.
        case string(String)
        /// A name: `data`, `numA`, `true`, …
        case identifier(String)
        /// One of `+ - * / ( ) [ ] .`.
        case symbol(Character)
        /// The end of the expression.
        case end
    }

    /// The kind and payload.
    var kind: Kind
    /// 1-based column in the template string.
    var column: Int

    /// The token as people would write it, for error messages.
    var display: String {
        switch kind {
        case .number(let text): text
        case .string(let text): "'\(text)'"
        case .identifier(let name): name
        case .symbol(let symbol): String(symbol)
        case .end: "end of expression"
        }
    }
}
