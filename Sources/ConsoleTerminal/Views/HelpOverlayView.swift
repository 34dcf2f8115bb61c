import ConsoleCore

/// Draws the help overlay: the keymap's bindings by context, scrolled.
public enum HelpOverlayView {
    /// Draws the overlay into `rect` (border included), scrolled by `scroll` lines.
    public static func draw(_ state: ConsoleState, scroll: Int, in rect: Rect, into buffer: inout ScreenBuffer, styles: ThemeStyles) {
        buffer.drawPaneBox(rect, title: "Help · Esc closes · j/k scroll", focused: true, styles: styles)
        ScrolledLines.draw(state.helpLines, scroll: scroll, in: rect.inset(by: 1), into: &buffer, styles: styles)
    }
}

/// Draws styled lines into a rectangle from a scroll offset, with a position hint when they overflow.
enum ScrolledLines {
    static func draw(_ lines: [StyledLine], scroll: Int, in inner: Rect, into buffer: inout ScreenBuffer, styles: ThemeStyles) {
        guard inner.width > 0, inner.height > 0 else { return }
        let first = max(0, min(scroll, lines.count - 1))
        for offset in 0..<inner.height {
            let index = first + offset
            guard index < lines.count else { break }
            buffer.put(lines[index], row: inner.row + offset, column: inner.column + 1, maxWidth: inner.width - 1, styles: styles)
        }
        if lines.count > inner.height {
            let last = min(lines.count, first + inner.height)
            let hint = " \(first + 1)–\(last)/\(lines.count) "
            let width = hint.count
            buffer.put(hint, row: inner.endRow, column: inner.endColumn - width - 1, style: styles[.dim], maxWidth: width)
        }
    }
}
