import ConsoleCore
import DeepstreamProtocol

/// Draws the Providers pane: own providers (state, name, behaviour, calls, last latency) then other
/// clients' providers (name and peer), with the selection.
public enum ProvidersView {
    /// Draws the pane into `rect` (border included).
    public static func draw(_ state: ConsoleState, in rect: Rect, into buffer: inout ScreenBuffer, styles: ThemeStyles) {
        let providers = state.providers
        let title = "Providers \(providers.own.count)" + (providers.remote.isEmpty ? "" : "+\(providers.remote.count)")
        buffer.drawPaneBox(rect, title: title, focused: state.focus == .providers && state.overlay == nil, styles: styles)
        let inner = rect.inset(by: 1)
        guard inner.width > 0, inner.height > 1 else { return }
        let columns = Columns(width: inner.width)
        buffer.put(columns.line(["ST", "NAME", "INFO", "CALLS", "LAST"]), row: inner.row, column: inner.column, style: styles[.dim], maxWidth: inner.width)
        guard providers.rowCount > 0 else {
            buffer.put("No providers. Press a to add one.", row: inner.row + 1, column: inner.column, style: styles[.dim], maxWidth: inner.width)
            return
        }
        let rows = providers.rows
        let height = inner.height - 1
        for offset in 0..<height {
            let index = providers.scrollTop + offset
            guard index < rows.count else { break }
            let row = inner.row + 1 + offset
            let selected = index == providers.selection
            let spans: [(String, ThemeRole)]
            switch rows[index] {
            case .own(let ownIndex):
                let provider = providers.own[ownIndex]
                let role: ThemeRole = switch provider.registration {
                case .provided: .stateOK
                case .providing, .unproviding: .statePending
                case .refused: .stateError
                case .unprovided: .dim
                }
                spans = [
                    (provider.registration.label, role), (provider.name, .text), (provider.behaviour, .dim),
                    (String(provider.callCount), .text), (DisplayFormat.latency(provider.lastLatency), .text),
                ]
            case .remote(let remoteIndex):
                let provider = providers.remote[remoteIndex]
                spans = [("·", .dim), (provider.name, .text), (state.peerLabel(provider.peer), .dim), ("", .text), ("", .text)]
            }
            if selected { buffer.fill(Rect(row: row, column: inner.column, width: inner.width, height: 1), style: styles[.selected]) }
            var column = inner.column
            for (position, span) in spans.enumerated() {
                let width = columns.widths[position]
                let text = DisplayFormat.fit(span.0, width, alignRight: position >= 3)
                buffer.put(text, row: row, column: column, style: selected ? styles[.selected] : styles[span.1], maxWidth: inner.endColumn - column)
                column += width + 1
            }
        }
    }

    /// Column widths: state, name, behaviour or peer, calls, last latency.
    struct Columns {
        let widths: [Int]

        init(width: Int) {
            let fixed = 5 + 5 + 7 + 4
            let flex = max(2, width - fixed)
            let name = max(1, flex * 55 / 100)
            widths = [5, name, max(1, flex - name), 5, 7]
        }

        func line(_ texts: [String]) -> String {
            zip(texts, widths).enumerated().map { offset, pair in
                DisplayFormat.fit(pair.0, pair.1, alignRight: offset >= 3)
            }.joined(separator: " ")
        }
    }
}
