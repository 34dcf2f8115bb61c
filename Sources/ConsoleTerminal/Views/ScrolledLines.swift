import ConsoleCore

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
