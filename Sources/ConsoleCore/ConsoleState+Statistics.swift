import CallStatistics
import DeepstreamProtocol

extension ConsoleState {
    /// What the Stats view keeps of a call that just ended.
    func finishedCall(_ record: CallRecord) -> FinishedCall {
        let provider: String?
        switch record.origin {
        case .served: provider = "me"
        case .outgoing, .broker:
            provider = record.provider.flatMap { peer in
                peer == .unidentified ? nil : (peers[peer]?.user ?? peer.description)
            }
        }
        let rerouted = record.wasRejected
        let kind: CallOutcomeKind = switch record.status {
        case .responded: .ok
        case .errored: .requestError
        case .failed(let reason): CallOutcomeKind(finalStep: .failed(reason: reason)) ?? .other
        case .denied: .denied
        case .abandoned, .requested, .routed, .accepted: .other
        }
        return FinishedCall(
            name: record.name, provider: provider, outcome: kind, acceptLatency: record.acceptLatency,
            totalLatency: record.totalLatency ?? .zero, wasRerouted: rerouted, endedAt: record.endedAt ?? record.startedAt
        )
    }

    /// The Stats view's name predicate: the Calls filter's `name:` and free-text terms applied to the
    /// RPC name (state terms do not apply to a row of many calls).
    package var statsNameMatcher: (String) -> Bool {
        let filter = calls.filter
        return { name in filter.matches(rpcName: name) }
    }

    /// The lines of the Stats view for the current layout.
    package var statsLines: [StyledLine] {
        StatsContent.lines(statistics, view: statsView, width: layout.columns - 4, matching: statsNameMatcher)
    }
}

extension ConsoleState {
    /// Handles `command` while the Stats view is open; nil for commands it leaves to the rest.
    mutating func performInStats(_ command: ConsoleCommand) -> [ConsoleEffect]? {
        let rows = statsView.sortedRows(statistics, matching: statsNameMatcher)
        switch command {
        case .toggleStats:
            overlay = nil
        case .moveDown: statsView.moveSelection(by: 1, in: rows)
        case .moveUp: statsView.moveSelection(by: -1, in: rows)
        case .pageDown: statsView.moveSelection(by: (layout.detailHeight - 1), in: rows)
        case .pageUp: statsView.moveSelection(by: -(layout.detailHeight - 1), in: rows)
        case .first: statsView.moveSelection(by: -rows.count, in: rows)
        case .last: statsView.moveSelection(by: rows.count, in: rows)
        case .sortNextColumn, .sortPreviousColumn:
            let visible = StatsContent.columns(forWidth: layout.columns - 4).columns
            statsView.cycleSort(by: command == .sortNextColumn ? 1 : -1, visible: visible)
        case .reverseSort: statsView.reversed.toggle()
        case .toggleExpanded: statsView.toggleExpanded()
        case .resetStatistics:
            statistics.reset()
            statsView = StatsViewState()
            notify("Statistics reset")
        case .exportStatistics:
            return exportStatistics()
        case .startFilter:
            // The Stats view shares the Calls pane's filter; typing goes to the Calls filter editor.
            focus = .calls
            calls.filterEditor = LineEditor(calls.filter.text)
            filterBeforeEditing = calls.filter
        default:
            return nil
        }
        scrollStatsToSelection()
        return [.requestRedraw]
    }

    /// Opens the Stats view with the first row selected.
    mutating func openStats() {
        overlay = .stats
        if let now { statistics.advance(to: now) }
        let rows = statsView.sortedRows(statistics, matching: statsNameMatcher)
        if statsView.selectedName.map({ name in !rows.contains { $0.name == name } }) ?? true {
            statsView.selectedName = rows.first?.name
        }
        scrollStatsToSelection()
    }

    private mutating func scrollStatsToSelection() {
        guard let line = StatsContent.selectedLine(statistics, view: statsView, matching: statsNameMatcher) else {
            statsView.scroll = 0
            return
        }
        // Keep the header visible above the selection and leave room for the distribution below it.
        let height = max(1, (layout.detailHeight - 1))
        if line < statsView.scroll + 1 { statsView.scroll = max(0, line - 1) }
        if line >= statsView.scroll + height { statsView.scroll = line - height + 1 }
    }

    private func exportStatistics() -> [ConsoleEffect] {
        let time = now ?? statistics.since ?? Timestamp(nanoseconds: 0)
        let path = "dsconsole-stats-\(time.nanoseconds / 1_000_000_000).json"
        let report = statistics.report(at: time)
        return [.writeFile(path: path, contents: JSONValue.object(report).jsonText + "\n", what: "statistics"), .requestRedraw]
    }
}
