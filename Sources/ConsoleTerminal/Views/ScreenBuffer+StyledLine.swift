import ConsoleCore

extension ScreenBuffer {
    /// Draws a core ``StyledLine`` on `row` from `column`, clipped after `maxWidth` columns, and
    /// returns the columns it took. `base` is laid under every span (e.g. the selected-row style).
    @discardableResult
    package mutating func put(
        _ line: StyledLine, row: Int, column: Int, maxWidth: Int, styles: ThemeStyles, override: Style? = nil
    ) -> Int {
        var used = 0
        for span in line.spans {
            guard used < maxWidth else { break }
            used += put(span.text, row: row, column: column + used, style: override ?? styles[span.role], maxWidth: maxWidth - used)
        }
        return used
    }

    /// Draws a pane border with its title, in the focused style when `focused`.
    package mutating func drawPaneBox(_ rect: Rect, title: String, focused: Bool, styles: ThemeStyles) {
        fill(rect)
        drawBox(
            rect, title: title, style: styles[focused ? .borderFocused : .border],
            titleStyle: styles[focused ? .borderFocused : .title])
    }
}

extension Rect {
    /// The rectangle of a core ``PaneFrame``.
    package init(_ frame: PaneFrame) {
        self.init(row: frame.y, column: frame.x, width: frame.width, height: frame.height)
    }
}
