/// A `Style` in the terms of one terminal: palette indices it supports and the attributes to set.
package struct ResolvedStyle: Hashable, Sendable {
    /// Foreground palette index, or -1 for the terminal's default.
    package var foreground: Int16
    /// Background palette index, or -1 for the terminal's default.
    package var background: Int16
    /// Video attributes to set.
    package var attributes: Style.Attributes

    /// Creates a resolved style.
    package init(foreground: Int16, background: Int16, attributes: Style.Attributes) {
        self.foreground = foreground
        self.background = background
        self.attributes = attributes
    }

    /// Whether the style needs a colour pair other than the default one.
    package var usesColor: Bool { foreground != -1 || background != -1 }
}
