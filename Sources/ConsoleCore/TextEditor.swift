/// A multi-line text editor with a cursor: the composer's JSON body.
package struct TextEditor: Hashable, Sendable {
    /// A cursor position: 0-based line and character column.
    package struct Position: Hashable, Sendable, Comparable {
        /// 0-based line.
        package var line: Int
        /// 0-based character column.
        package var column: Int
        /// Creates a position.
        package init(line: Int, column: Int) {
            self.line = line
            self.column = column
        }
        /// Orders by line, then column.
        package static func < (lhs: Position, rhs: Position) -> Bool {
            (lhs.line, lhs.column) < (rhs.line, rhs.column)
        }
    }

    /// The lines (never empty: an empty text is one empty line).
    package private(set) var lines: [[Character]]
    /// The cursor.
    package private(set) var cursor: Position
    // The column up/down movement tries to keep, like every editor does.
    private var preferredColumn: Int

    /// Creates an editor holding `text` with the cursor at its end.
    package init(_ text: String = "") {
        lines = [[]]
        cursor = Position(line: 0, column: 0)
        preferredColumn = 0
        setText(text)
    }

    /// The text, lines joined with `\n`.
    package var text: String { lines.map { String($0) }.joined(separator: "\n") }

    /// Whether the text is only whitespace.
    package var isBlank: Bool { lines.allSatisfy { $0.allSatisfy(\.isWhitespace) } }

    /// Replaces the text and puts the cursor at its end.
    package mutating func setText(_ text: String) {
        lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0) }
        if lines.isEmpty { lines = [[]] }
        cursor = Position(line: lines.count - 1, column: lines[lines.count - 1].count)
        preferredColumn = cursor.column
    }

    /// Inserts a character at the cursor (`\n` splits the line).
    package mutating func insert(_ character: Character) {
        if character == "\n" || character == "\r\n" {
            insertNewline()
            return
        }
        lines[cursor.line].insert(character, at: cursor.column)
        cursor.column += 1
        preferredColumn = cursor.column
    }

    /// Splits the line at the cursor without indenting the new line (pasted text).
    package mutating func splitLine() {
        let tail = Array(lines[cursor.line][cursor.column...])
        lines[cursor.line].removeSubrange(cursor.column...)
        lines.insert(tail, at: cursor.line + 1)
        cursor = Position(line: cursor.line + 1, column: 0)
        preferredColumn = 0
    }

    /// Splits the line at the cursor, keeping the current line's indentation.
    package mutating func insertNewline() {
        let line = lines[cursor.line]
        let head = Array(line[..<cursor.column])
        let tail = Array(line[cursor.column...])
        let indent = head.prefix(while: { $0 == " " })
        lines[cursor.line] = head
        lines.insert(Array(indent) + tail, at: cursor.line + 1)
        cursor = Position(line: cursor.line + 1, column: indent.count)
        preferredColumn = cursor.column
    }

    /// Deletes the character before the cursor, joining with the previous line at a line start.
    package mutating func deleteBackward() {
        if cursor.column > 0 {
            lines[cursor.line].remove(at: cursor.column - 1)
            cursor.column -= 1
        } else if cursor.line > 0 {
            let removed = lines.remove(at: cursor.line)
            cursor.line -= 1
            cursor.column = lines[cursor.line].count
            lines[cursor.line] += removed
        }
        preferredColumn = cursor.column
    }

    /// Deletes the character at the cursor, joining with the next line at a line end.
    package mutating func deleteForward() {
        if cursor.column < lines[cursor.line].count {
            lines[cursor.line].remove(at: cursor.column)
        } else if cursor.line + 1 < lines.count {
            let removed = lines.remove(at: cursor.line + 1)
            lines[cursor.line] += removed
        }
    }

    /// Moves the cursor left, wrapping to the previous line's end.
    package mutating func moveLeft() {
        if cursor.column > 0 {
            cursor.column -= 1
        } else if cursor.line > 0 {
            cursor.line -= 1
            cursor.column = lines[cursor.line].count
        }
        preferredColumn = cursor.column
    }

    /// Moves the cursor right, wrapping to the next line's start.
    package mutating func moveRight() {
        if cursor.column < lines[cursor.line].count {
            cursor.column += 1
        } else if cursor.line + 1 < lines.count {
            cursor.line += 1
            cursor.column = 0
        }
        preferredColumn = cursor.column
    }

    /// Moves the cursor up `count` lines, keeping the preferred column where the line allows.
    package mutating func moveUp(_ count: Int = 1) {
        cursor.line = max(0, cursor.line - count)
        cursor.column = min(preferredColumn, lines[cursor.line].count)
    }

    /// Moves the cursor down `count` lines, keeping the preferred column where the line allows.
    package mutating func moveDown(_ count: Int = 1) {
        cursor.line = min(lines.count - 1, cursor.line + count)
        cursor.column = min(preferredColumn, lines[cursor.line].count)
    }

    /// Moves the cursor to the start of its line.
    package mutating func moveToLineStart() {
        cursor.column = 0
        preferredColumn = 0
    }

    /// Moves the cursor to the end of its line.
    package mutating func moveToLineEnd() {
        cursor.column = lines[cursor.line].count
        preferredColumn = cursor.column
    }

    // MARK: Readline keys (within the cursor's line; at its edge they join or cross lines)

    /// Ctrl-K: deletes to the end of the line; at the end, joins the next line.
    package mutating func killToLineEnd() {
        if cursor.column == lines[cursor.line].count { deleteForward() } else { lines[cursor.line].removeSubrange(cursor.column...) }
    }

    /// Ctrl-U: deletes from the line start to the cursor; at the start, joins the previous line.
    package mutating func killToLineStart() {
        guard cursor.column > 0 else { return deleteBackward() }
        lines[cursor.line].removeSubrange(..<cursor.column)
        cursor.column = 0
        preferredColumn = 0
    }

    /// Ctrl-W: deletes the word before the cursor (at a line start: the line break).
    package mutating func deleteWordBackward() {
        guard cursor.column > 0 else { return deleteBackward() }
        let start = WordMotion.start(before: cursor.column, in: lines[cursor.line])
        lines[cursor.line].removeSubrange(start..<cursor.column)
        cursor.column = start
        preferredColumn = start
    }

    /// Alt-B: to the start of the previous word (from a line start: the previous line's end).
    package mutating func moveWordLeft() {
        guard cursor.column > 0 else { return moveLeft() }
        cursor.column = WordMotion.start(before: cursor.column, in: lines[cursor.line])
        preferredColumn = cursor.column
    }

    /// Alt-F: to the end of the next word (from a line end: the next line's start).
    package mutating func moveWordRight() {
        guard cursor.column < lines[cursor.line].count else { return moveRight() }
        cursor.column = WordMotion.end(after: cursor.column, in: lines[cursor.line])
        preferredColumn = cursor.column
    }

    /// The character position of a JSON parse error's 1-based line and 1-based *byte* column,
    /// clamped into the text.
    package func position(ofLine line: Int, byteColumn: Int) -> Position {
        let lineIndex = min(max(0, line - 1), lines.count - 1)
        var bytes = 0
        var column = 0
        for character in lines[lineIndex] {
            if bytes >= byteColumn - 1 { break }
            bytes += character.utf8.count
            column += 1
        }
        return Position(line: lineIndex, column: column)
    }
}
