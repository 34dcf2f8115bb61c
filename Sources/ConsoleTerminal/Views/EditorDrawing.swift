import ConsoleCore

/// Draws the core's text editors with a visible cursor cell.
enum EditorDrawing {
    /// Draws a one-line field, scrolled so the cursor is visible.
    static func drawLine(
        _ editor: LineEditor, row: Int, column: Int, width: Int, focused: Bool,
        into buffer: inout ScreenBuffer, styles: ThemeStyles
    ) {
        guard width > 0 else { return }
        let first = max(0, editor.cursor - width + 1)
        let shown = String(editor.characters.dropFirst(first).prefix(width))
        buffer.put(shown, row: row, column: column, style: styles[.text], maxWidth: width)
        guard focused else { return }
        let cursorCharacter = editor.cursor < editor.characters.count ? editor.characters[editor.cursor] : " "
        let cursorColumn = column + displayWidth(editor.characters[first..<editor.cursor])
        buffer.put(String(cursorCharacter), row: row, column: cursorColumn, style: styles[.cursor], maxWidth: column + width - cursorColumn)
    }

    /// The terminal columns a run of characters takes.
    static func displayWidth(_ characters: some Sequence<Character>) -> Int {
        characters.reduce(0) { $0 + $1.terminalWidth }
    }
}
