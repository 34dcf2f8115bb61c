import ConsoleCore

/// Draws the Stats view over the whole screen: the per-RPC table, the selected RPC's latency
/// distribution, and a footer with the filter (or its editor after `/`).
package enum StatsView {
    /// Draws the view into `rect` (border included).
    package static func draw(_ state: ConsoleState, in rect: Rect, into buffer: inout ScreenBuffer, styles: ThemeStyles) {
        let statistics = state.statistics
        var title = "Stats · \(statistics.totalCalls) \(statistics.totalCalls == 1 ? "call" : "calls")"
        if let since = statistics.since { title += " since \(DisplayFormat.timeOfDay(since))" }
        title += " · Esc closes"
        buffer.drawPaneBox(rect, title: title, focused: true, styles: styles)
        let inner = rect.inset(by: 1)
        guard inner.height > 1 else { return }
        let table = Rect(row: inner.row, column: inner.column, width: inner.width, height: inner.height - 1)
        let footerRow = inner.endRow - 1
        ScrolledLines.draw(state.statsLines, scroll: state.statsView.scroll, in: table, into: &buffer, styles: styles)
        if let editor = state.calls.filterEditor {
            let used = buffer.put("/", row: footerRow, column: inner.column + 1, style: styles[.title], maxWidth: inner.width - 1)
            EditorDrawing.drawLine(
                editor, row: footerRow, column: inner.column + 1 + used, width: inner.width - 1 - used, focused: true,
                into: &buffer, styles: styles
            )
        } else {
            let filter = state.calls.filter.isEmpty ? "/ filter" : "/ \(state.calls.filter.text)"
            let hint = "\(filter) · ←/→ sort · o reverse · Enter per provider · x export JSON · X reset · ? help"
            buffer.put(hint, row: footerRow, column: inner.column + 1, style: styles[.dim], maxWidth: inner.width - 1)
        }
    }
}
