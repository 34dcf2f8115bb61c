/// How a cell is drawn: colours and video attributes.
public struct Style: Hashable, Sendable {
    /// Video attributes that can be combined.
    public struct Attributes: OptionSet, Hashable, Sendable {
        /// The attribute bits.
        public let rawValue: UInt8

        /// Creates attributes from their bit representation.
        public init(rawValue: UInt8) {
            self.rawValue = rawValue
        }

        /// Bold (on many terminals also brighter).
        public static let bold = Attributes(rawValue: 1 << 0)
        /// Foreground and background swapped.
        public static let reverse = Attributes(rawValue: 1 << 1)
        /// Underlined.
        public static let underline = Attributes(rawValue: 1 << 2)
        /// Dim (half-bright).
        public static let dim = Attributes(rawValue: 1 << 3)
    }

    /// The text colour.
    public var foreground: TerminalColor
    /// The cell's background colour.
    public var background: TerminalColor
    /// The video attributes.
    public var attributes: Attributes

    /// Creates a style; every part defaults to the terminal's plain look.
    public init(
        foreground: TerminalColor = .default,
        background: TerminalColor = .default,
        attributes: Attributes = []
    ) {
        self.foreground = foreground
        self.background = background
        self.attributes = attributes
    }

    /// Default colours, no attributes.
    public static let plain = Style()

    /// Whether the style is drawn bold.
    public var isBold: Bool { attributes.contains(.bold) }
    /// Whether the style is drawn in reverse video.
    public var isReversed: Bool { attributes.contains(.reverse) }
    /// Whether the style is underlined.
    public var isUnderlined: Bool { attributes.contains(.underline) }
    /// Whether the style is drawn dim.
    public var isDim: Bool { attributes.contains(.dim) }

    /// A copy of this style with `attributes` added.
    public func adding(_ attributes: Attributes) -> Style {
        var copy = self
        copy.attributes.formUnion(attributes)
        return copy
    }
}
