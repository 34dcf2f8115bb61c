import ConsoleCore

/// Draws the "terminal too small" message instead of the panes.
package enum TooSmallView {
    /// Draws the message centred in `rect` (clipped on tiny terminals).
    package static func draw(in rect: Rect, into buffer: inout ScreenBuffer, styles: ThemeStyles) {
        buffer.fill(rect)
        let lines = [
            "Terminal too small",
            "\(rect.width)×\(rect.height), need \(ConsoleLayout.minimumColumns)×\(ConsoleLayout.minimumRows)",
            "Enlarge the window · q quits",
        ]
        let top = rect.row + max(0, (rect.height - lines.count) / 2)
        for (offset, line) in lines.enumerated() {
            let column = rect.column + max(0, (rect.width - line.count) / 2)
            buffer.put(line, row: top + offset, column: column, style: styles[offset == 0 ? .stateError : .text], maxWidth: rect.endColumn - column)
        }
    }
}
