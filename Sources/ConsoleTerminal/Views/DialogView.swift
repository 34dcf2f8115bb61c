import ConsoleCore

/// Draws the small centred dialogs: the add-provider prompt and the quit confirmation.
package enum DialogView {
    /// Draws the dialog for the state's overlay (if it is one) centred in `area`.
    package static func draw(_ state: ConsoleState, in area: Rect, into buffer: inout ScreenBuffer, styles: ThemeStyles) {
        switch state.overlay {
        case .addProvider(let editor):
            let width = min(area.width - 4, 64)
            // A rejection is shown in full (wrapped) above the kept text, so it can be fixed in place.
            let errorLines = state.promptError.map { DisplayFormat.wrap($0, width: width - 4) } ?? []
            let rect = centred(width: width, height: 5 + errorLines.count, in: area)
            buffer.drawPaneBox(rect, title: "Add provider", focused: true, styles: styles)
            let inner = rect.inset(by: 1)
            let label = buffer.put("name behaviour: ", row: inner.row, column: inner.column + 1, style: styles[.dim], maxWidth: inner.width - 1)
            EditorDrawing.drawLine(editor, row: inner.row, column: inner.column + 1 + label, width: inner.width - 2 - label, focused: true, into: &buffer, styles: styles)
            for (offset, line) in errorLines.enumerated() {
                buffer.put(line, row: inner.row + 1 + offset, column: inner.column + 1, style: styles[.stateError], maxWidth: inner.width - 1)
            }
            // Esc is on the hints line; the room goes to the recording form.
            let hint = "e.g. greet echo · greet template Hi {{name}} · @calls.jsonl"
            buffer.put(hint, row: inner.row + 2 + errorLines.count, column: inner.column + 1, style: styles[.dim], maxWidth: inner.width - 1)
        case .writeRecording(let editor):
            let width = min(area.width - 4, 64)
            let rect = centred(width: width, height: 5, in: area)
            buffer.drawPaneBox(rect, title: "Write recording", focused: true, styles: styles)
            let inner = rect.inset(by: 1)
            let label = buffer.put("file: ", row: inner.row, column: inner.column + 1, style: styles[.dim], maxWidth: inner.width - 1)
            EditorDrawing.drawLine(editor, row: inner.row, column: inner.column + 1 + label, width: inner.width - 2 - label, focused: true, into: &buffer, styles: styles)
            let hint = "\(state.recordableCallCount) ended calls\(state.calls.filter.text.isEmpty ? "" : " (filtered)") · never overwrites · Esc cancels"
            buffer.put(hint, row: inner.row + 2, column: inner.column + 1, style: styles[.dim], maxWidth: inner.width - 1)
        case .confirmDelete(let name):
            let rect = centred(width: min(area.width - 4, 56), height: 5, in: area)
            buffer.drawPaneBox(rect, title: "Delete provider?", focused: true, styles: styles)
            let inner = rect.inset(by: 1)
            buffer.put("Delete \(name)? It stops being provided.", row: inner.row, column: inner.column + 1, style: styles[.text], maxWidth: inner.width - 1)
            buffer.put("y deletes · n / Esc keeps it", row: inner.row + 2, column: inner.column + 1, style: styles[.helpKey], maxWidth: inner.width - 1)
        case .confirmQuit:
            let rect = centred(width: min(area.width - 4, 48), height: 5, in: area)
            buffer.drawPaneBox(rect, title: "Quit?", focused: true, styles: styles)
            let inner = rect.inset(by: 1)
            // The same in-flight number as the status line.
            let logged = state.calls.log.count
            let inFlight = state.stats.inFlight
            let text = "\(DisplayFormat.count(logged, "call")) in the log, \(inFlight) in flight."
            buffer.put(text, row: inner.row, column: inner.column + 1, style: styles[.text], maxWidth: inner.width - 1)
            buffer.put("Quit anyway? y / n", row: inner.row + 2, column: inner.column + 1, style: styles[.helpKey], maxWidth: inner.width - 1)
        default:
            break
        }
    }

    static func centred(width: Int, height: Int, in area: Rect) -> Rect {
        Rect(row: area.row + max(0, (area.height - height) / 2), column: area.column + max(0, (area.width - width) / 2), width: width, height: height)
    }
}
