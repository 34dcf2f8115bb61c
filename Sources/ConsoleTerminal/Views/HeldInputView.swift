import ConsoleCore

/// Draws the held-call editor (`E`, `O`, `F` on a held call): a one-line JSON field, its label and the
/// reason the last Enter was refused.
package enum HeldInputView {
    /// Draws the dialog centred in `area`.
    package static func draw(
        _ state: ConsoleState, kind: HeldInputKind, editor: LineEditor, in area: Rect, into buffer: inout ScreenBuffer,
        styles: ThemeStyles
    ) {
        let width = max(10, min(area.width - 4, 90))
        let rect = Rect(row: area.row + max(0, (area.height - 5) / 2), column: area.column + max(0, (area.width - width) / 2), width: width, height: 5)
        buffer.fill(rect, style: styles[.text])
        buffer.drawPaneBox(rect, title: "Held call · \(kind.label)", focused: true, styles: styles)
        let inner = rect.inset(by: 1)
        guard inner.width > 2 else { return }
        EditorDrawing.drawLine(editor, row: inner.row, column: inner.column + 1, width: inner.width - 2, focused: true, into: &buffer, styles: styles)
        if let error = state.promptError {
            buffer.put(error, row: inner.row + 1, column: inner.column + 1, style: styles[.stateError], maxWidth: inner.width - 1)
        }
        buffer.put("JSON · Enter sends · Esc back to the call", row: inner.row + 2, column: inner.column + 1, style: styles[.dim], maxWidth: inner.width - 1)
    }
}
