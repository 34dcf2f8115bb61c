/// How a theme draws one role: colours plus text attributes.
package struct ThemeStyle: Hashable, Sendable {
    /// A text attribute.
    package enum Attribute: String, CaseIterable, Hashable, Sendable {
        /// Bold.
        case bold
        /// Dim.
        case dim
        /// Underlined.
        case underline
        /// Reverse video.
        case reverse
        /// Italic.
        case italic
        /// Standout (terminal-defined emphasis).
        case standout
    }

    /// The foreground colour; nil = the terminal's default.
    package var foreground: ThemeColor?
    /// The background colour; nil = the terminal's default.
    package var background: ThemeColor?
    /// Attributes.
    package var attributes: Set<Attribute>

    /// Creates a style.
    package init(foreground: ThemeColor? = nil, background: ThemeColor? = nil, attributes: Set<Attribute> = []) {
        self.foreground = foreground
        self.background = background
        self.attributes = attributes
    }

    /// Whether the style sets any colour.
    package var usesColor: Bool {
        (foreground != nil && foreground != .terminalDefault) || (background != nil && background != .terminalDefault)
    }
}
