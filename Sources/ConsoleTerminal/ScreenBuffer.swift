/// A grid of cells that views draw into and the backend copies to the terminal.
///
/// Pure value type: no terminal needed, so views are tested by comparing `textSnapshot()`.
/// Double-width characters take two cells (the right one a continuation cell). Drawing never
/// leaves half a double-width character behind: overwriting either half blanks the other half.
package struct ScreenBuffer: Hashable, Sendable {
    /// Number of columns.
    package let width: Int
    /// Number of rows.
    package let height: Int
    private var cells: [Cell]

    /// A blank buffer of `width` × `height` cells (negative sizes become zero).
    package init(width: Int, height: Int) {
        self.width = max(width, 0)
        self.height = max(height, 0)
        self.cells = Array(repeating: .blank, count: self.width * self.height)
    }

    /// The whole buffer as a rectangle at the origin.
    package var bounds: Rect { Rect(width: width, height: height) }

    /// The cell at (`row`, `column`); both must be inside the buffer.
    package subscript(row: Int, column: Int) -> Cell {
        precondition(bounds.contains(row: row, column: column), "cell \(row),\(column) outside \(bounds)")
        return cells[row * width + column]
    }

    // MARK: Drawing

    /// Writes `text` on `row` from `column`, left to right, and returns the number of columns it took.
    ///
    /// Text is clipped at the buffer's edges and after `maxWidth` columns; a double-width character
    /// that would straddle the limit is replaced by a space. Tabs become spaces, other control
    /// characters U+FFFD, and zero-width graphemes (such as a lone combining mark) are skipped.
    /// Columns left of 0 are skipped but counted in the result.
    @discardableResult
    package mutating func put(
        _ text: some StringProtocol,
        row: Int,
        column: Int,
        style: Style = .plain,
        maxWidth: Int? = nil
    ) -> Int {
        guard row >= 0, row < height else { return 0 }
        let limit: Int
        if let maxWidth {
            guard maxWidth > 0 else { return 0 }
            limit = column > width - maxWidth ? width : column + maxWidth
        } else {
            limit = width
        }
        var cursor = column
        for character in text {
            guard cursor < limit else { break }
            let shown = Self.printable(character)
            let columns = shown.terminalWidth
            if columns == 0 { continue }
            if cursor + columns > limit {
                if cursor >= 0 { write(Cell(" ", style: style), row: row, column: cursor) }
                cursor += 1
                break
            }
            if cursor >= 0 {
                write(Cell(shown, style: style), row: row, column: cursor)
            } else if cursor + columns > 0 {
                // The right half of a wide character that starts left of the buffer.
                write(Cell(" ", style: style), row: row, column: 0)
            }
            cursor += columns
        }
        return max(cursor - column, 0)
    }

    /// Fills the part of `rect` inside the buffer with spaces drawn in `style`.
    package mutating func fill(_ rect: Rect, style: Style = .plain) {
        let area = rect.intersection(bounds)
        guard !area.isEmpty else { return }
        let blank = Cell(" ", style: style)
        for row in area.row..<area.endRow {
            for column in area.column..<area.endColumn {
                write(blank, row: row, column: column)
            }
        }
    }

    /// Makes every cell blank with default colours.
    package mutating func clear() {
        for index in cells.indices {
            cells[index] = .blank
        }
    }

    /// Draws a horizontal line of `─` of `length` cells starting at (`row`, `column`), clipped.
    package mutating func drawHorizontalLine(row: Int, column: Int, length: Int, style: Style = .plain) {
        guard length > 0 else { return }
        for offset in 0..<length {
            set(BoxCharacters.horizontal, row: row, column: column + offset, style: style)
        }
    }

    /// Draws a vertical line of `│` of `length` cells starting at (`row`, `column`), clipped.
    package mutating func drawVerticalLine(row: Int, column: Int, length: Int, style: Style = .plain) {
        guard length > 0 else { return }
        for offset in 0..<length {
            set(BoxCharacters.vertical, row: row + offset, column: column, style: style)
        }
    }

    /// Draws the border of `rect` with `┌─┐│└┘`, clipped to the buffer, and an optional title in
    /// the top border (` title `, from the third column, clipped to leave the corners and one line
    /// cell on each side). The interior is left untouched. Needs a rectangle of at least 2 × 2.
    package mutating func drawBox(_ rect: Rect, title: String? = nil, style: Style = .plain, titleStyle: Style? = nil) {
        guard rect.width >= 2, rect.height >= 2 else { return }
        let top = rect.row
        let bottom = rect.endRow - 1
        let left = rect.column
        let right = rect.endColumn - 1
        drawHorizontalLine(row: top, column: left + 1, length: rect.width - 2, style: style)
        drawHorizontalLine(row: bottom, column: left + 1, length: rect.width - 2, style: style)
        drawVerticalLine(row: top + 1, column: left, length: rect.height - 2, style: style)
        drawVerticalLine(row: top + 1, column: right, length: rect.height - 2, style: style)
        set(BoxCharacters.topLeft, row: top, column: left, style: style)
        set(BoxCharacters.topRight, row: top, column: right, style: style)
        set(BoxCharacters.bottomLeft, row: bottom, column: left, style: style)
        set(BoxCharacters.bottomRight, row: bottom, column: right, style: style)
        if let title, !title.isEmpty, rect.width >= 7 {
            put(" \(title) ", row: top, column: left + 2, style: titleStyle ?? style, maxWidth: rect.width - 4)
        }
    }

    // MARK: Reading

    /// The buffer's text, one line per row joined by "\n", with trailing spaces of each row
    /// removed. Styles are ignored; meant for snapshot tests.
    package func textSnapshot() -> String {
        var lines: [String] = []
        lines.reserveCapacity(height)
        for row in 0..<height {
            var line = ""
            for cell in cells[(row * width)..<((row + 1) * width)] where !cell.isContinuation {
                line.append(cell.character)
            }
            while line.last == " " {
                line.removeLast()
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    /// The runs of cells that differ from `old`, row by row, left to right.
    ///
    /// When the sizes differ every row is one run, so the caller redraws everything. A run never
    /// starts on a continuation cell: it then begins one column earlier, at the wide character.
    package func diff(from old: ScreenBuffer) -> [ChangedRun] {
        guard old.width == width, old.height == height else {
            guard width > 0 else { return [] }
            return (0..<height).map { row in
                ChangedRun(row: row, column: 0, cells: Array(cells[(row * width)..<((row + 1) * width)]))
            }
        }
        var runs: [ChangedRun] = []
        for row in 0..<height {
            let rowStart = row * width
            var column = 0
            while column < width {
                guard cells[rowStart + column] != old.cells[rowStart + column] else {
                    column += 1
                    continue
                }
                var start = column
                while column < width && cells[rowStart + column] != old.cells[rowStart + column] {
                    column += 1
                }
                if start > 0 && cells[rowStart + start].isContinuation {
                    start -= 1
                }
                runs.append(ChangedRun(row: row, column: start, cells: Array(cells[(rowStart + start)..<(rowStart + column)])))
            }
        }
        return runs
    }

    // MARK: Cell writing

    /// Writes one box-drawing character if the position is inside the buffer.
    private mutating func set(_ character: Character, row: Int, column: Int, style: Style) {
        guard bounds.contains(row: row, column: column) else { return }
        write(Cell(character, style: style), row: row, column: column)
    }

    /// Stores `cell` (and its continuation when wide) at a position known to be inside the buffer,
    /// first blanking what is left of any double-width character it partly covers.
    private mutating func write(_ cell: Cell, row: Int, column: Int) {
        let index = row * width + column
        breakWideCharacter(at: index, column: column)
        if cell.isWide {
            breakWideCharacter(at: index + 1, column: column + 1)
            cells[index] = cell
            cells[index + 1] = .continuation(style: cell.style)
        } else {
            cells[index] = cell
        }
    }

    private mutating func breakWideCharacter(at index: Int, column: Int) {
        let existing = cells[index]
        if existing.isContinuation, column > 0 {
            cells[index - 1] = Cell(" ", style: cells[index - 1].style)
        } else if existing.isWide, column + 1 < width {
            cells[index + 1] = Cell(" ", style: existing.style)
        }
    }

    private static func printable(_ character: Character) -> Character {
        guard let first = character.unicodeScalars.first else { return character }
        if first == "\t" { return " " }
        if first.value < 0x20 || (0x7F..<0xA0).contains(first.value) { return "\u{FFFD}" }
        return character
    }
}
