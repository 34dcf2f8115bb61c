/// Why JSON text could not be parsed, and where.
public struct JSONParseError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Reason: Hashable, Sendable {
        /// The text ended inside a value.
        case unexpectedEnd
        /// A byte that cannot start or continue a value here.
        case unexpectedCharacter(UInt8)
        /// A number that breaks the JSON grammar.
        case invalidNumber
        /// A bad `\` escape in a string.
        case invalidEscape
        /// A raw control character (below U+0020) inside a string.
        case controlCharacterInString
        /// The bytes are not valid UTF-8.
        case invalidUTF8
        /// Arrays/objects nested deeper than the parser allows.
        case tooDeep(limit: Int)
        /// Non-whitespace after the value.
        case trailingCharacters
    }

    /// What went wrong.
    public var reason: Reason
    /// Byte offset into the UTF-8 text where it went wrong.
    public var offset: Int
    /// 1-based line of ``offset``.
    public var line: Int
    /// 1-based column (in bytes) of ``offset``.
    public var column: Int

    /// A one-line explanation, e.g. `unexpected character '}' at line 1, column 9`.
    public var description: String {
        let what: String
        switch reason {
        case .unexpectedEnd: what = "unexpected end of JSON"
        case .unexpectedCharacter(let byte):
            let scalar = Unicode.Scalar(byte)
            what = byte >= 0x20 && byte < 0x7f ? "unexpected character '\(Character(scalar))'" : "unexpected byte 0x\(String(byte, radix: 16))"
        case .invalidNumber: what = "invalid number"
        case .invalidEscape: what = "invalid escape sequence"
        case .controlCharacterInString: what = "control character in string"
        case .invalidUTF8: what = "invalid UTF-8"
        case .tooDeep(let limit): what = "nested deeper than \(limit) levels"
        case .trailingCharacters: what = "unexpected text after the JSON value"
        }
        return "\(what) at line \(line), column \(column)"
    }
}
