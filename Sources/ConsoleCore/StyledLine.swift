/// A run of text drawn in one theme role.
package struct StyledSpan: Hashable, Sendable {
    /// The text.
    package var text: String
    /// How it is drawn.
    package var role: ThemeRole

    /// Creates a span.
    package init(_ text: String, _ role: ThemeRole = .text) {
        self.text = text
        self.role = role
    }
}

/// One line of styled text: what the core hands the views for the detail view and the help.
package struct StyledLine: Hashable, Sendable, CustomStringConvertible {
    /// The spans, left to right.
    package var spans: [StyledSpan]

    /// Creates a line.
    package init(_ spans: [StyledSpan] = []) { self.spans = spans }

    /// A line of one span.
    package init(_ text: String, _ role: ThemeRole = .text) { spans = [StyledSpan(text, role)] }

    /// The line's plain text.
    package var description: String { spans.map(\.text).joined() }
}
