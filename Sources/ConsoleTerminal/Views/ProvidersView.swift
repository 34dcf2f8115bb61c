import ConsoleCore
import DeepstreamProtocol

/// Draws the Providers pane: own providers (state, name, behaviour, calls, last latency) then other
/// clients' providers (name and peer), with the selection.
package enum ProvidersView {
    /// Draws the pane into `rect` (border included).
    package static func draw(_ state: ConsoleState, in rect: Rect, into buffer: inout ScreenBuffer, styles: ThemeStyles) {
        let providers = state.providers
        var title = "Providers \(providers.own.count)" + (providers.remote.isEmpty ? "" : "+\(providers.remote.count)")
        if !state.configuration.embeddedBroker {
            // On a shared server the console provides nothing unless asked: say how many are live there.
            let live = providers.own.filter { $0.registration == .provided }.count
            title += " · \(live) live on the server"
        }
        let paneFocused = state.focus == .providers && state.overlay == nil
        let selectedStyle = paneFocused ? styles[.selected] : styles[.text].adding(.underline)
        buffer.drawPaneBox(rect, title: title, focused: paneFocused, styles: styles)
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
                    (provider.registration.label, role), (provider.name, .text), (provider.info, .dim),
                    (String(provider.callCount), .text), (DisplayFormat.latency(provider.lastLatency), .text),
                ]
            case .remote(let remoteIndex):
                let provider = providers.remote[remoteIndex]
                // Without an INFO column the peer goes where CALLS and LAST would be (remote rows have neither).
                let peer = state.peerLabel(provider.peer)
                // A provider the console switched off reads `off` (issue 13); the others `·`.
                let mark: (String, ThemeRole) = provider.isSwitchedOff ? ("off", .stateError) : ("·", .dim)
                spans = columns.widths[2] > 0
                    ? [mark, (provider.name, .text), (peer, .dim), ("", .text), ("", .text)]
                    : [mark, (provider.name, .text), ("", .dim), (peer, .dim), ("", .text)]
            }
            if selected { buffer.fill(Rect(row: row, column: inner.column, width: inner.width, height: 1), style: selectedStyle) }
            var column = inner.column
            for (position, span) in spans.enumerated() {
                var width = columns.widths[position]
                guard width > 0 else { continue }
                if case .remote = rows[index], columns.widths[2] == 0, position == 4 { continue }
                var alignRight = position >= 3
                if case .remote = rows[index], columns.widths[2] == 0, position == 3 {
                    width += columns.widths[4] > 0 ? columns.widths[4] + 1 : 0
                    alignRight = false
                }
                let text = DisplayFormat.fit(span.0, width, alignRight: alignRight)
                buffer.put(text, row: row, column: column, style: selected ? selectedStyle : styles[span.1], maxWidth: inner.endColumn - column)
                column += width + 1
            }
        }
    }

    /// Column widths: state, name, behaviour or peer, calls, last latency; 0 for a dropped column.
    ///
    /// The name matters most: narrow panes drop INFO first, then LAST, then CALLS, until the name has
    /// ``minimumName`` characters; the name then takes 55 % of the rest, INFO the remainder.
    struct Columns {
        static let minimumName = 16
        let widths: [Int]

        init(width: Int) {
            // Configurations from richest to plainest: (INFO, CALLS, LAST) shown or not.
            let configurations = [(true, true, true), (false, true, true), (false, true, false), (false, false, false)]
            for (info, calls, last) in configurations {
                let others = 4 + (calls ? 6 : 0) + (last ? 8 : 0) + 1 + (info ? 1 : 0)
                let flex = width - others
                let needed = Self.minimumName + (info ? 8 : 0)
                if flex >= needed || !calls {
                    let name = info ? max(Self.minimumName, flex * 55 / 100) : max(1, flex)
                    widths = [4, name, info ? flex - name : 0, calls ? 5 : 0, last ? 7 : 0]
                    return
                }
            }
            widths = [4, max(1, width - 5), 0, 0, 0]
        }

        func line(_ texts: [String]) -> String {
            zip(texts, widths).enumerated().compactMap { offset, pair in
                pair.1 > 0 ? DisplayFormat.fit(pair.0, pair.1, alignRight: offset >= 3) : nil
            }.joined(separator: " ")
        }
    }
}
