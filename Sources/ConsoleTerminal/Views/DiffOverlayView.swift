import ConsoleCore

/// Draws the `d` overlay: the two calls, the structural differences of their responses and the
/// unified diff (``ConsoleState/diffLines``), removed lines in the error role, added in the OK role.
package enum DiffOverlayView {
    /// Draws the overlay into `rect`, scrolled by `scroll` lines.
    package static func draw(_ state: ConsoleState, scroll: Int, in rect: Rect, into buffer: inout ScreenBuffer, styles: ThemeStyles) {
        buffer.drawPaneBox(rect, title: "Diff of responses · Esc closes · j/k scroll", focused: true, styles: styles)
        ScrolledLines.draw(state.diffLines, scroll: scroll, in: rect.inset(by: 1), into: &buffer, styles: styles)
    }
}
