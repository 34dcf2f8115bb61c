import ConsoleCore
import DeepstreamProtocol

/// Draws the Composer pane: the RPC name, the JSON body (scrolled to the cursor, with the place where
/// invalid JSON breaks marked), the validation line and the last result.
package enum ComposerView {
    /// Draws the pane into `rect` (border included).
    package static func draw(_ state: ConsoleState, in rect: Rect, into buffer: inout ScreenBuffer, styles: ThemeStyles) {
        let composer = state.composer
        let paneFocused = state.focus == .composer && state.overlay == nil
        // The cursor shows only while typing; reached with h/l the pane navigates until Enter or i.
        let focused = paneFocused && state.isEditingComposer
        let title = paneFocused ? (focused ? "Composer · typing" : "Composer · Enter to type") : "Composer"
        buffer.drawPaneBox(rect, title: title, focused: paneFocused, styles: styles)
        let inner = rect.inset(by: 1)
        guard inner.width > 4, inner.height > 4 else { return }

        let label = buffer.put("RPC ", row: inner.row, column: inner.column, style: styles[.dim], maxWidth: inner.width)
        if composer.name.isEmpty && !(focused && composer.field == .name) {
            buffer.put("(name; Tab completes)", row: inner.row, column: inner.column + label, style: styles[.dim], maxWidth: inner.width - label)
        } else {
            EditorDrawing.drawLine(
                composer.name, row: inner.row, column: inner.column + label, width: inner.width - label,
                focused: focused && composer.field == .name, into: &buffer, styles: styles)
        }
        buffer.drawHorizontalLine(row: inner.row + 1, column: inner.column, length: inner.width, style: styles[.border])

        let bodyHeight = inner.height - 4
        drawBody(composer, focused: focused && composer.field == .body, row: inner.row + 2, column: inner.column, width: inner.width, height: bodyHeight, into: &buffer, styles: styles)
        drawValidation(composer.validation, row: inner.endRow - 2, column: inner.column, width: inner.width, into: &buffer, styles: styles)
        drawResult(composer.lastSend, stale: composer.isResultStale, row: inner.endRow - 1, column: inner.column, width: inner.width, into: &buffer, styles: styles)
    }

    private static func drawBody(
        _ composer: ComposerState, focused: Bool, row: Int, column: Int, width: Int, height: Int,
        into buffer: inout ScreenBuffer, styles: ThemeStyles
    ) {
        guard height > 0 else { return }
        let body = composer.body
        let cursor = body.cursor
        let firstLine = max(0, cursor.line - height + 1)
        let firstColumn = max(0, cursor.column - width + 1)
        var marker: TextEditor.Position?
        if case .invalid(_, let position) = composer.validation { marker = position }
        if body.isBlank && !focused {
            buffer.put("(JSON body; empty = no payload)", row: row, column: column, style: styles[.dim], maxWidth: width)
        }
        for offset in 0..<height {
            let lineIndex = firstLine + offset
            guard lineIndex < body.lines.count else { break }
            let characters = body.lines[lineIndex].dropFirst(firstColumn)
            buffer.put(String(characters), row: row + offset, column: column, style: styles[.text], maxWidth: width)
            if let marker, marker.line == lineIndex, marker.column >= firstColumn {
                let shownBefore = body.lines[lineIndex][firstColumn..<min(marker.column, body.lines[lineIndex].count)]
                let markerColumn = column + EditorDrawing.displayWidth(shownBefore)
                let character = marker.column < body.lines[lineIndex].count ? body.lines[lineIndex][marker.column] : " "
                buffer.put(String(character), row: row + offset, column: markerColumn, style: styles[.jsonError], maxWidth: column + width - markerColumn)
            }
        }
        guard focused, cursor.line >= firstLine else { return }
        let line = body.lines[cursor.line]
        let cursorColumn = column + EditorDrawing.displayWidth(line[firstColumn..<cursor.column])
        let character = cursor.column < line.count ? line[cursor.column] : " "
        buffer.put(String(character), row: row + cursor.line - firstLine, column: cursorColumn, style: styles[.cursor], maxWidth: column + width - cursorColumn)
    }

    private static func drawValidation(
        _ validation: JSONValidation, row: Int, column: Int, width: Int, into buffer: inout ScreenBuffer, styles: ThemeStyles
    ) {
        let (text, role): (String, ThemeRole) = switch validation {
        case .empty: ("· empty body: sent without payload", .dim)
        case .valid: ("✓ valid JSON · Ctrl-S sends", .stateOK)
        case .invalid(let error, _): ("✗ " + problem(error), .stateError)
        }
        buffer.put(text, row: row, column: column, style: styles[role], maxWidth: width)
    }

    /// `line 2, column 9: unexpected character '}'` (the parser's description puts the place last).
    static func problem(_ error: JSONParseError) -> String {
        let place = " at line \(error.line), column \(error.column)"
        let what = error.description.hasSuffix(place) ? String(error.description.dropLast(place.count)) : error.description
        return "line \(error.line), column \(error.column): \(what)"
    }

    private static func drawResult(
        _ lastSend: ComposerState.LastSend?, stale: Bool, row: Int, column: Int, width: Int, into buffer: inout ScreenBuffer, styles: ThemeStyles
    ) {
        guard let lastSend else { return }
        let (text, role): (String, ThemeRole)
        switch lastSend {
        case .pending(let id, let name): (text, role) = ("… \(id) \(name): waiting", .statePending)
        case .finished(let id, let name, _, let outcome):
            switch outcome {
            case .response(let data): (text, role) = ("→ \(id) \(name): \(data?.jsonText ?? "(no payload)")", .stateOK)
            case .requestError(let data): (text, role) = ("✗ \(id) \(name): REQUEST_ERROR \(data?.jsonText ?? "")", .stateError)
            case .failed(let reason): (text, role) = ("✗ \(id) \(name): \(reason)", .stateError)
            }
        }
        // A result for a request since edited is marked and dimmed; a cut one says where the rest is.
        var shown = (stale ? "(stale) " : "") + text
        if shown.count > width, case .finished = lastSend { shown = String(shown.prefix(max(0, width - 10))) + "… Ctrl-O" }
        buffer.put(shown, row: row, column: column, style: styles[stale ? .dim : role], maxWidth: width)
    }
}
