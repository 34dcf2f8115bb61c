import ConsoleCore

/// Draws the Calls pane: column header, the visible call rows (selection highlighted, state in its
/// colour) and a footer with follow/pause, counts, drops and the filter (or the filter input).
package enum CallsView {
    /// Draws the pane into `rect` (border included).
    package static func draw(_ state: ConsoleState, in rect: Rect, into buffer: inout ScreenBuffer, styles: ThemeStyles) {
        let calls = state.calls
        var title = "Calls"
        if !calls.filter.isEmpty { title += " [\(calls.filter.text)]" }
        if let note = state.callsPaneNote { title += " · \(note)" }
        let paneFocused = state.focus == .calls && state.overlay == nil
        buffer.drawPaneBox(rect, title: title, focused: paneFocused, styles: styles)
        let inner = rect.inset(by: 1)
        guard inner.width > 0, inner.height > 2 else { return }
        let formatter = CallRowFormatter(width: inner.width)
        buffer.put(formatter.header(), row: inner.row, column: inner.column, maxWidth: inner.width, styles: styles)
        let rows = state.visibleCallRows.prefix(inner.height - 2)
        if rows.isEmpty {
            let text = calls.log.isEmpty ? "No calls yet." : "No calls match the filter."
            buffer.put(text, row: inner.row + 1, column: inner.column, style: styles[.dim], maxWidth: inner.width)
        }
        for (offset, record) in rows.enumerated() {
            let row = inner.row + 1 + offset
            let line = formatter.row(record, route: state.route(of: record))
            if record.sequence == state.selectedCallSequence {
                // An unfocused pane's selection is only underlined: one highlighted row on screen at a time.
                let style = paneFocused ? styles[.selected] : styles[.text].adding(.underline)
                buffer.fill(Rect(row: row, column: inner.column, width: inner.width, height: 1), style: style)
                buffer.put(line, row: row, column: inner.column, maxWidth: inner.width, styles: styles, override: style)
            } else {
                buffer.put(line, row: row, column: inner.column, maxWidth: inner.width, styles: styles)
            }
        }
        drawFooter(state, row: inner.endRow - 1, column: inner.column, width: inner.width, into: &buffer, styles: styles)
    }

    private static func drawFooter(
        _ state: ConsoleState, row: Int, column: Int, width: Int, into buffer: inout ScreenBuffer, styles: ThemeStyles
    ) {
        let calls = state.calls
        if let editor = calls.filterEditor {
            let used = buffer.put("/", row: row, column: column, style: styles[.title], maxWidth: width)
            EditorDrawing.drawLine(editor, row: row, column: column + used, width: width - used, focused: true, into: &buffer, styles: styles)
            return
        }
        var parts: [String] = []
        if let sorted = state.sortedCalls {
            parts.append("sorted by \(sorted.order.rawValue) (snapshot of \(DisplayFormat.count(sorted.sequences.count, "call")); s: next order, G: live)")
        } else {
            parts.append(calls.isPaused ? "paused" : (calls.isFollowing ? "follow" : "scroll (G follows)"))
        }
        if calls.filter.isEmpty {
            parts.append(DisplayFormat.count(calls.log.count, "call"))
        } else {
            parts.append("\(calls.matchCount) of \(DisplayFormat.count(calls.log.count, "call")) match / \(calls.filter.text)")
        }
        parts.append("\(calls.log.droppedCount) dropped")
        if let released = DisplayFormat.releasedPayloads(calls.log) { parts.append(released) }
        buffer.put(parts.joined(separator: " · "), row: row, column: column, style: styles[.dim], maxWidth: width)
    }
}
