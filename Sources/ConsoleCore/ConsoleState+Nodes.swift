import DeepstreamProtocol

extension ConsoleState {
    /// Applies an update of the cluster feed (``ConsoleAction/cluster(_:)``).
    mutating func apply(_ update: ClusterUpdate) -> [ConsoleEffect] {
        nodesView.apply(update)
        if case .nodes = overlay { scrollNodesToSelection() }
        return [.requestRedraw]
    }

    /// The Nodes view's lines for the current layout and time.
    package var nodesLines: [StyledLine] { NodesContent.lines(nodesView, now: now, width: layout.columns - 4) }

    /// The word at the left of the status line: the cluster bus's state in a cluster console (the
    /// engine there only talks to a private broker), the engine's connection state otherwise.
    package var connectionLabel: String { nodesView.bus?.label ?? connection.rawValue }

    /// What the Calls pane's title adds in a cluster console: only cross-node calls cross the bus (plus,
    /// with a proxy, the calls of the apps behind it).
    package var callsPaneNote: String? { nodesView.coverageNote }

    /// Opens the Nodes view (`N`); outside a cluster console it only explains itself.
    mutating func openNodes() {
        guard nodesView.isCluster else {
            notify("No cluster here: the Nodes view shows a deepstream cluster's nodes (dsconsole cluster redis://HOST:PORT)")
            return
        }
        overlay = .nodes
        if nodesView.selectedName.map({ nodesView.nodes[$0] == nil }) ?? true { nodesView.moveSelection(by: 0) }
        scrollNodesToSelection()
    }

    /// Handles `command` while the Nodes view is open; nil for commands it leaves to the rest.
    mutating func performInNodes(_ command: ConsoleCommand) -> [ConsoleEffect]? {
        let count = nodesView.nodes.count
        let page = max(1, layout.detailHeight - 2)
        switch command {
        case .toggleNodes: overlay = nil
        case .moveDown: nodesView.moveSelection(by: 1)
        case .moveUp: nodesView.moveSelection(by: -1)
        case .pageDown: nodesView.moveSelection(by: page)
        case .pageUp: nodesView.moveSelection(by: -page)
        case .first: nodesView.moveSelection(by: -count)
        case .last: nodesView.moveSelection(by: count)
        default: return nil
        }
        scrollNodesToSelection()
        return [.requestRedraw]
    }

    private mutating func scrollNodesToSelection() {
        guard let line = NodesContent.selectedLine(nodesView) else {
            nodesView.scroll = 0
            return
        }
        // The header stays visible above the selection.
        let height = max(1, layout.detailHeight - 1)
        if line < nodesView.scroll + 1 { nodesView.scroll = max(0, line - 1) }
        if line >= nodesView.scroll + height { nodesView.scroll = line - height + 1 }
    }
}
