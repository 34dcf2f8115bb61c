/// A named mapping from ``ThemeRole`` to ``ThemeStyle``, read from a theme file.
///
/// The file format is `key = value` lines (see docs/console.md):
///
/// ```
/// # comment
/// name = dark
/// border = fg:bright-black
/// title = fg:cyan bold
/// selected = fg:black bg:39/cyan
/// ```
///
/// A value is space-separated tokens: `fg:<colour>`, `bg:<colour>` and attributes (`bold`, `dim`,
/// `underline`, `reverse`, `italic`, `standout`), or `plain` for none. Colours are parsed by
/// ``ThemeColor/init(parsing:)``.
package struct Theme: Hashable, Sendable {
    /// The theme's name.
    package var name: String
    /// The styles by role; a missing role draws plain.
    package var styles: [ThemeRole: ThemeStyle]

    /// Creates a theme.
    package init(name: String, styles: [ThemeRole: ThemeStyle]) {
        self.name = name
        self.styles = styles
    }

    /// The style for `role` (plain if the theme does not define it).
    package subscript(role: ThemeRole) -> ThemeStyle { styles[role] ?? ThemeStyle() }

    /// Roles the theme does not define.
    package var undefinedRoles: [ThemeRole] { ThemeRole.allCases.filter { styles[$0] == nil } }

    /// Parses a theme file. Unknown roles, tokens or colours are errors with their line number.
    package init(parsing text: String) throws(ThemeParseError) {
        var name: String?
        var styles: [ThemeRole: ThemeStyle] = [:]
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = offset + 1
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
                .trimmingCharacters(in: " \t\r")
            if line.isEmpty { continue }
            guard let equals = line.firstIndex(of: "=") else {
                throw ThemeParseError(line: lineNumber, message: "expected `role = style`")
            }
            let key = String(line[..<equals]).trimmingCharacters(in: " \t")
            let value = String(line[line.index(after: equals)...]).trimmingCharacters(in: " \t")
            if key == "name" {
                guard !value.isEmpty else { throw ThemeParseError(line: lineNumber, message: "empty theme name") }
                name = value
                continue
            }
            guard let role = ThemeRole(rawValue: key) else {
                throw ThemeParseError(line: lineNumber, message: "unknown role \"\(key)\"")
            }
            guard styles[role] == nil else {
                throw ThemeParseError(line: lineNumber, message: "role \"\(key)\" defined twice")
            }
            styles[role] = try Self.parseStyle(value, line: lineNumber)
        }
        guard let name else { throw ThemeParseError(line: 1, message: "missing `name = …`") }
        self.init(name: name, styles: styles)
    }

    private static func parseStyle(_ value: String, line: Int) throws(ThemeParseError) -> ThemeStyle {
        var style = ThemeStyle()
        let tokens = value.split(separator: " ").map(String.init)
        guard !tokens.isEmpty else { throw ThemeParseError(line: line, message: "empty style (use `plain`)") }
        for token in tokens {
            let lower = token.lowercased()
            if lower == "plain" { continue }
            if let attribute = ThemeStyle.Attribute(rawValue: lower) {
                style.attributes.insert(attribute)
            } else if lower.hasPrefix("fg:") || lower.hasPrefix("bg:") {
                guard let color = ThemeColor(parsing: String(lower.dropFirst(3))) else {
                    throw ThemeParseError(line: line, message: "unknown colour \"\(token.dropFirst(3))\"")
                }
                if lower.hasPrefix("fg:") { style.foreground = color } else { style.background = color }
            } else {
                throw ThemeParseError(line: line, message: "unknown style token \"\(token)\"")
            }
        }
        return style
    }

    /// The dark theme built into the binary (the same text as `themes/dark.theme`), used when no theme
    /// file is given.
    package static let dark: Theme = (try? Theme(parsing: darkSource)) ?? Theme(name: "plain", styles: [:])

    /// The text of the built-in dark theme.
    package static let darkSource = """
        # dsconsole dark theme (the default): 16 colours, with 256-colour accents where the terminal has them.
        name = dark
        text = plain
        dim = fg:bright-black
        border = fg:bright-black
        borderFocused = fg:39/cyan bold
        title = fg:cyan bold
        selected = fg:black bg:39/cyan
        stateOK = fg:green
        stateError = fg:bright-red bold
        statePending = fg:yellow
        statusBar = fg:white bg:236/blue
        badge = fg:black bg:214/yellow bold
        message = fg:bright-yellow
        jsonKey = fg:cyan
        jsonString = fg:green
        jsonNumber = fg:magenta
        jsonLiteral = fg:yellow
        jsonPunctuation = fg:bright-black
        jsonError = fg:white bg:red bold
        helpKey = fg:cyan bold
        cursor = reverse

        """
}

extension StringProtocol {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var scalars = Substring(self)
        while let first = scalars.first, set.contains(first) { scalars = scalars.dropFirst() }
        while let last = scalars.last, set.contains(last) { scalars = scalars.dropLast() }
        return String(scalars)
    }
}
