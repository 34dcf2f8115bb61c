/// A run of text drawn in one theme role.
public struct StyledSpan: Hashable, Sendable {
    /// The text.
    public var text: String
    /// How it is drawn.
    public var role: ThemeRole

    /// Creates a span.
    public init(_ text: String, _ role: ThemeRole = .text) {
        self.text = text
        self.role = role
    }
}

/// One line of styled text: what the core hands the views for the detail view and the help.
public struct StyledLine: Hashable, Sendable, CustomStringConvertible {
    /// The spans, left to right.
    public var spans: [StyledSpan]

    /// Creates a line.
    public init(_ spans: [StyledSpan] = []) { self.spans = spans }

    /// A line of one span.
    public init(_ text: String, _ role: ThemeRole = .text) { spans = [StyledSpan(text, role)] }

    /// The line's plain text.
    public var description: String { spans.map(\.text).joined() }
}
