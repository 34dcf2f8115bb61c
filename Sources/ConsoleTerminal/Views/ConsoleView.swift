import ConsoleCore

/// Draws the whole console for the buffer's size: the panes, the status line and any overlay, or the
/// "too small" message.
package enum ConsoleView {
    /// Redraws `buffer` completely from `state`.
    package static func draw(_ state: ConsoleState, into buffer: inout ScreenBuffer, styles: ThemeStyles) {
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
        case .nodes:
            NodesView.draw(state, in: Rect(layout.detail), into: &buffer, styles: styles)
        default:
            ProvidersView.draw(state, in: Rect(layout.providers), into: &buffer, styles: styles)
            ComposerView.draw(state, in: Rect(layout.composer), into: &buffer, styles: styles)
            CallsView.draw(state, in: Rect(layout.calls), into: &buffer, styles: styles)
        }
        switch state.overlay {
        case .help(let scroll):
            HelpOverlayView.draw(state, scroll: scroll, in: Rect(layout.help), into: &buffer, styles: styles)
        case .messages(let scroll):
            let rect = Rect(layout.help)
            buffer.drawPaneBox(rect, title: "Messages · Esc closes · j/k scroll", focused: true, styles: styles)
            ScrolledLines.draw(state.messageLines(width: rect.width - 2), scroll: scroll, in: rect.inset(by: 1), into: &buffer, styles: styles)
        case .result(let scroll):
            let rect = Rect(layout.help)
            buffer.drawPaneBox(rect, title: "Last result · Esc closes · j/k scroll", focused: true, styles: styles)
            ScrolledLines.draw(state.resultLines, scroll: scroll, in: rect.inset(by: 1), into: &buffer, styles: styles)
        case .providerDetail(_, _, let scroll):
            let rect = Rect(layout.help)
            buffer.drawPaneBox(rect, title: "Provider · Esc closes · j/k scroll", focused: true, styles: styles)
            ScrolledLines.draw(state.providerDetailLines, scroll: scroll, in: rect.inset(by: 1), into: &buffer, styles: styles)
        case .diff(_, _, let scroll):
            DiffOverlayView.draw(state, scroll: scroll, in: Rect(layout.help), into: &buffer, styles: styles)
        case .historySearch(let editor, let selection):
            HistorySearchView.draw(state, editor: editor, selection: selection, in: Rect(layout.help), into: &buffer, styles: styles)
        case .heldInput(_, let kind, let editor):
            HeldInputView.draw(state, kind: kind, editor: editor, in: Rect(layout.detail), into: &buffer, styles: styles)
        case .rules:
            RulesView.draw(state, in: Rect(layout.help), into: &buffer, styles: styles)
        case .addProvider, .writeRecording, .confirmQuit, .confirmDelete:
            DialogView.draw(state, in: Rect(layout.detail), into: &buffer, styles: styles)
        case .detail, .stats, .nodes, nil:
            break
        }
        if state.overlay == nil || { if case .detail = state.overlay { true } else { false } }() {
            drawKeyHint(state, layout: layout, into: &buffer, styles: styles)
        }
        StatusLineView.draw(state, in: Rect(layout.status), into: &buffer, styles: styles)
    }

    /// Puts the focused pane's key hint (``ConsoleState/keyHint``) into its bottom border, so the
    /// focus shows without colour and `?` is discoverable.
    static func drawKeyHint(_ state: ConsoleState, layout: ConsoleLayout, into buffer: inout ScreenBuffer, styles: ThemeStyles) {
        let frame: PaneFrame
        if case .detail = state.overlay { frame = layout.detail } else { frame = layout.frame(of: state.focus) }
        let rect = Rect(frame)
        let room = rect.width - 4
        guard room > 8 else { return }
        let hint = " " + state.keyHint + " "
        buffer.put(DisplayFormat.fit(hint, min(room, hint.count)), row: rect.endRow - 1, column: rect.column + 2, style: styles[.borderFocused], maxWidth: room)
    }
}
