/// How a cell is drawn: colours and video attributes.
package struct Style: Hashable, Sendable {
    /// Video attributes that can be combined.
    package struct Attributes: OptionSet, Hashable, Sendable {
        /// The attribute bits.
        package let rawValue: UInt8

        /// Creates attributes from their bit representation.
        package init(rawValue: UInt8) {
            self.rawValue = rawValue
        }

        /// Bold (on many terminals also brighter).
        package static let bold = Attributes(rawValue: 1 << 0)
        /// Foreground and background swapped.
        package static let reverse = Attributes(rawValue: 1 << 1)
        /// Underlined.
        package static let underline = Attributes(rawValue: 1 << 2)
        /// Dim (half-bright).
        package static let dim = Attributes(rawValue: 1 << 3)
    }

    /// The text colour.
    package var foreground: TerminalColor
    /// The cell's background colour.
    package var background: TerminalColor
    /// The video attributes.
    package var attributes: Attributes

    /// Creates a style; every part defaults to the terminal's plain look.
    package init(
        foreground: TerminalColor = .default,
        background: TerminalColor = .default,
        attributes: Attributes = []
    ) {
        self.foreground = foreground
        self.background = background
        self.attributes = attributes
    }

    /// Default colours, no attributes.
    package static let plain = Style()

    /// Whether the style is drawn bold.
    package var isBold: Bool { attributes.contains(.bold) }
    /// Whether the style is drawn in reverse video.
    package var isReversed: Bool { attributes.contains(.reverse) }
    /// Whether the style is underlined.
    package var isUnderlined: Bool { attributes.contains(.underline) }
    /// Whether the style is drawn dim.
    package var isDim: Bool { attributes.contains(.dim) }

    /// A copy of this style with `attributes` added.
    package func adding(_ attributes: Attributes) -> Style {
        var copy = self
        copy.attributes.formUnion(attributes)
        return copy
    }
}
