import ConsoleCore

/// Draws the Rules overlay (`R`): one line per steering rule (number, on/off, calls touched, the rule
/// as JSON), the selection, and the one-line editor with its error when adding or editing.
package enum RulesView {
    /// Draws the overlay into `rect` (border included).
    package static func draw(_ state: ConsoleState, in rect: Rect, into buffer: inout ScreenBuffer, styles: ThemeStyles) {
        let rules = state.rules
        let title = "Rules · \(rules.rules.rules.count) · Space on/off · a add · e edit · d delete · Esc closes"
        buffer.drawPaneBox(rect, title: title, focused: true, styles: styles)
        let inner = rect.inset(by: 1)
        guard inner.width > 8, inner.height > 3 else { return }
        // The editor takes the last two rows: the JSON line and its error (or a hint).
        let editorRows = rules.editor == nil ? 0 : 3
        let height = inner.height - editorRows
        let lines = state.ruleLines
        if lines.isEmpty {
            buffer.put("No rules. a adds one as JSON, e.g. {\"match\": \"search\", \"action\": \"delay\", \"ms\": 300}",
                row: inner.row, column: inner.column, style: styles[.dim], maxWidth: inner.width)
        }
        let top = max(0, rules.selection - height + 1)
        for offset in 0..<max(0, height) {
            let index = top + offset
            guard index < lines.count else { break }
            let row = inner.row + offset
            let selected = index == rules.selection && rules.editor == nil
            if selected {
                buffer.fill(Rect(row: row, column: inner.column, width: inner.width, height: 1), style: styles[.selected])
            }
            var column = inner.column
            for span in lines[index].spans {
                guard column < inner.endColumn else { break }
                column += buffer.put(span.text, row: row, column: column, style: selected ? styles[.selected] : styles[span.role], maxWidth: inner.endColumn - column)
            }
        }
        guard let editor = rules.editor else { return }
        let row = inner.row + inner.height - 2
        let label = rules.editingIndex.map { "rule \($0 + 1): " } ?? "new rule: "
        let width = buffer.put(label, row: row, column: inner.column, style: styles[.dim], maxWidth: inner.width)
        EditorDrawing.drawLine(editor, row: row, column: inner.column + width, width: inner.width - width, focused: true, into: &buffer, styles: styles)
        if let error = rules.error {
            buffer.put(error, row: row + 1, column: inner.column, style: styles[.stateError], maxWidth: inner.width)
        } else {
            buffer.put("Enter saves · Esc cancels · same members as a rules file entry (docs/rules.md)", row: row + 1, column: inner.column, style: styles[.dim], maxWidth: inner.width)
        }
    }
}
