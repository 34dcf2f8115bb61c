import ConsoleCore

/// Draws the call detail view: summary, timeline, request and response JSON, scrolled.
package enum DetailView {
    /// Draws the detail of the call the state's overlay shows into `rect` (border included).
    package static func draw(_ state: ConsoleState, in rect: Rect, into buffer: inout ScreenBuffer, styles: ThemeStyles) {
        guard case .detail(let key, let scroll) = state.overlay else { return }
        buffer.drawPaneBox(rect, title: "Call \(key.call) · Esc closes", focused: true, styles: styles)
        ScrolledLines.draw(state.detailLines ?? [], scroll: scroll, in: rect.inset(by: 1), into: &buffer, styles: styles)
    }
}
