/// Why a theme file could not be parsed.
public struct ThemeParseError: Error, Hashable, Sendable, CustomStringConvertible {
    /// 1-based line number.
    public var line: Int
    /// What is wrong.
    public var message: String

    /// Creates an error.
    public init(line: Int, message: String) {
        self.line = line
        self.message = message
    }

    /// `line 3: unknown role "bordr"`.
    public var description: String { "line \(line): \(message)" }
}
