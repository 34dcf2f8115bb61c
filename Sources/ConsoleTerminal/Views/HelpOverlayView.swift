import ConsoleCore

/// Draws the help overlay: the keymap's bindings by context, scrolled.
package enum HelpOverlayView {
    /// Draws the overlay into `rect` (border included), scrolled by `scroll` lines.
    package static func draw(_ state: ConsoleState, scroll: Int, in rect: Rect, into buffer: inout ScreenBuffer, styles: ThemeStyles) {
        buffer.drawPaneBox(rect, title: "Help · Esc closes · j/k scroll", focused: true, styles: styles)
        ScrolledLines.draw(state.helpLines, scroll: scroll, in: rect.inset(by: 1), into: &buffer, styles: styles)
    }
}
