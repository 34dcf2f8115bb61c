import ConsoleCore

/// Draws the Nodes view over the whole screen (cluster console, `N`): the node table with warnings,
/// the selected node's providers, and a footer saying what the bus cannot show.
package enum NodesView {
    /// Draws the view into `rect` (border included).
    package static func draw(_ state: ConsoleState, in rect: Rect, into buffer: inout ScreenBuffer, styles: ThemeStyles) {
        let view = state.nodesView
        let alive = view.nodes.values.filter(\.isAlive).count
        var title = "Nodes · \(view.nodes.count) (\(alive) alive)"
        if let leader = view.leader { title += " · leader \(leader)" }
        if let bus = view.bus { title += " · bus \(view.redis ?? "") \(bus.phrase)" }
        title += " · Esc closes"
        buffer.drawPaneBox(rect, title: title, focused: true, styles: styles)
        let inner = rect.inset(by: 1)
        guard inner.height > 1 else { return }
        let table = Rect(row: inner.row, column: inner.column, width: inner.width, height: inner.height - 1)
        ScrolledLines.draw(state.nodesLines, scroll: view.scroll, in: table, into: &buffer, styles: styles)
        let footer = view.proxiedUpstream == nil
            ? "Same-node calls never cross the bus: Calls shows cross-node calls only · j/k select · ? help"
            : "Same-node calls never cross the bus: Calls shows cross-node calls and the proxied node's apps' calls · j/k select"
        buffer.put(footer, row: inner.endRow - 1, column: inner.column + 1, style: styles[.dim], maxWidth: inner.width - 1)
    }
}
