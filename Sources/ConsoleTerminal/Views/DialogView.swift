import ConsoleCore

/// Draws the small centred dialogs: the add-provider prompt and the quit confirmation.
public enum DialogView {
    /// Draws the dialog for the state's overlay (if it is one) centred in `area`.
    public static func draw(_ state: ConsoleState, in area: Rect, into buffer: inout ScreenBuffer, styles: ThemeStyles) {
        switch state.overlay {
        case .addProvider(let editor):
            let rect = centred(width: min(area.width - 4, 64), height: 5, in: area)
            buffer.drawPaneBox(rect, title: "Add provider", focused: true, styles: styles)
            let inner = rect.inset(by: 1)
            let label = buffer.put("name behaviour: ", row: inner.row, column: inner.column + 1, style: styles[.dim], maxWidth: inner.width - 1)
            EditorDrawing.drawLine(editor, row: inner.row, column: inner.column + 1 + label, width: inner.width - 2 - label, focused: true, into: &buffer, styles: styles)
            buffer.put("e.g. greet echo · Enter adds · Esc cancels", row: inner.row + 2, column: inner.column + 1, style: styles[.dim], maxWidth: inner.width - 1)
        case .confirmQuit:
            let rect = centred(width: min(area.width - 4, 48), height: 5, in: area)
            buffer.drawPaneBox(rect, title: "Quit?", focused: true, styles: styles)
            let inner = rect.inset(by: 1)
            let count = state.pendingRequests.count
            buffer.put("\(count) call\(count == 1 ? "" : "s") still in flight.", row: inner.row, column: inner.column + 1, style: styles[.text], maxWidth: inner.width - 1)
            buffer.put("Quit anyway? y / n", row: inner.row + 2, column: inner.column + 1, style: styles[.helpKey], maxWidth: inner.width - 1)
        default:
            break
        }
    }

    static func centred(width: Int, height: Int, in area: Rect) -> Rect {
        Rect(row: area.row + max(0, (area.height - height) / 2), column: area.column + max(0, (area.width - width) / 2), width: width, height: height)
    }
}
