/// Why a theme file could not be parsed.
package struct ThemeParseError: Error, Hashable, Sendable, CustomStringConvertible {
    /// 1-based line number.
    package var line: Int
    /// What is wrong.
    package var message: String

    /// Creates an error.
    package init(line: Int, message: String) {
        self.line = line
        self.message = message
    }

    /// `line 3: unknown role "bordr"`.
    package var description: String { "line \(line): \(message)" }
}
