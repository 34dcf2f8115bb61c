import ConsoleCore

/// Draws the whole console for the buffer's size: the panes, the status line and any overlay, or the
/// "too small" message.
public enum ConsoleView {
    /// Redraws `buffer` completely from `state`.
    public static func draw(_ state: ConsoleState, into buffer: inout ScreenBuffer, styles: ThemeStyles) {
        buffer.clear()
        let layout = ConsoleLayout(columns: buffer.width, rows: buffer.height)
        guard !layout.isTooSmall else {
            TooSmallView.draw(in: buffer.bounds, into: &buffer, styles: styles)
            return
        }
        switch state.overlay {
        case .detail:
            DetailView.draw(state, in: Rect(layout.detail), into: &buffer, styles: styles)
        case .stats:
            StatsView.draw(state, in: Rect(layout.detail), into: &buffer, styles: styles)
        default:
            ProvidersView.draw(state, in: Rect(layout.providers), into: &buffer, styles: styles)
            ComposerView.draw(state, in: Rect(layout.composer), into: &buffer, styles: styles)
            CallsView.draw(state, in: Rect(layout.calls), into: &buffer, styles: styles)
        }
        switch state.overlay {
        case .help(let scroll):
            HelpOverlayView.draw(state, scroll: scroll, in: Rect(layout.help), into: &buffer, styles: styles)
        case .addProvider, .confirmQuit:
            DialogView.draw(state, in: Rect(layout.detail), into: &buffer, styles: styles)
        case .detail, .stats, nil:
            break
        }
        StatusLineView.draw(state, in: Rect(layout.status), into: &buffer, styles: styles)
    }
}
