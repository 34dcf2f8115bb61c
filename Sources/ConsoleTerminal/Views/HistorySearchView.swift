import ConsoleCore

/// Draws the Ctrl-R history search: the query and the matching requests, newest first.
package enum HistorySearchView {
    /// Draws the overlay into `rect` (border included).
    package static func draw(
        _ state: ConsoleState, editor: LineEditor, selection: Int, in rect: Rect, into buffer: inout ScreenBuffer,
        styles: ThemeStyles
    ) {
        let matches = state.historyMatches
        let title = "History search · \(matches.count) of \(state.composer.history.count) · Enter loads · Esc cancels"
        buffer.drawPaneBox(rect, title: title, focused: true, styles: styles)
        let inner = rect.inset(by: 1)
        guard inner.width > 4, inner.height > 2 else { return }
        let label = buffer.put("search: ", row: inner.row, column: inner.column, style: styles[.dim], maxWidth: inner.width)
        EditorDrawing.drawLine(editor, row: inner.row, column: inner.column + label, width: inner.width - label, focused: true, into: &buffer, styles: styles)
        let height = inner.height - 2
        let top = max(0, selection - height + 1)
        for offset in 0..<height {
            let index = top + offset
            guard index < matches.count else { break }
            let entry = matches[index]
            let body = entry.body.split(whereSeparator: \.isNewline).map { $0.trimmingPrefix(while: \.isWhitespace) }.joined(separator: " ")
            let text = entry.name + "  " + body
            let row = inner.row + 2 + offset
            if index == selection {
                buffer.fill(Rect(row: row, column: inner.column, width: inner.width, height: 1), style: styles[.selected])
            }
            buffer.put(text, row: row, column: inner.column, style: index == selection ? styles[.selected] : styles[.text], maxWidth: inner.width)
        }
        if matches.isEmpty {
            buffer.put("No request matches.", row: inner.row + 2, column: inner.column, style: styles[.dim], maxWidth: inner.width)
        }
    }
}
