import DeepstreamProtocol

/// Builds the Nodes view's lines: one row per node (state, last STATUS, role, leaderScore, provider
/// count and names), a warning line under a node whose checksum disagrees or that bounced calls, and
/// the selected node's full provider list under the table.
package enum NodesContent {
    /// The columns after the node name, in table order; the ones that do not fit are left out in
    /// ``dropOrder``.
    enum Column: CaseIterable {
        case state, lastStatus, role, score, rpcs, names

        var title: String {
            switch self {
            case .state: "STATE"
            case .lastStatus: "LAST STATUS"
            case .role: "ROLE"
            case .score: "SCORE"
            case .rpcs: "RPCS"
            case .names: "PROVIDES"
            }
        }

        /// Fixed width (names: the least it gets).
        var width: Int {
            switch self {
            case .state: 28
            case .lastStatus: 11
            case .role: 11
            case .score: 6
            case .rpcs: 5
            case .names: 10
            }
        }

        /// Lower goes first when the view is narrow.
        var keepOrder: Int {
            switch self {
            case .state: 6
            case .rpcs: 5
            case .lastStatus: 4
            case .names: 3
            case .role: 2
            case .score: 1
            }
        }
    }

    /// The columns that fit `width` next to a name column of `nameWidth`.
    static func columns(width: Int, nameWidth: Int) -> [Column] {
        var room = width - 2 - nameWidth
        var chosen: Set<Column> = []
        for column in Column.allCases.sorted(by: { $0.keepOrder > $1.keepOrder }) where room >= column.width + 1 {
            room -= column.width + 1
            chosen.insert(column)
        }
        return Column.allCases.filter { chosen.contains($0) }
    }

    /// The lines for a view `width` characters wide at `now`.
    package static func lines(_ view: NodesViewState, now: Timestamp?, width: Int) -> [StyledLine] {
        let nodes = view.sortedNodes
        let nameWidth = min(24, max(15, (nodes.map(\.name.count).max() ?? 0) + 2))
        let columns = columns(width: width, nameWidth: nameWidth)
        let fixed = 2 + nameWidth + columns.reduce(0) { $0 + 1 + ($1 == .names ? 0 : $1.width) }
        let namesWidth = max(Column.names.width, width - fixed)
        var lines: [StyledLine] = []
        var header = "  " + DisplayFormat.fit("NODE (★ leader)", nameWidth)
        for column in columns {
            header += " " + DisplayFormat.fit(column.title, column == .names ? namesWidth : column.width, alignRight: column == .rpcs || column == .score)
        }
        lines.append(StyledLine(header, .dim))
        guard !nodes.isEmpty else {
            let text = switch view.bus {
            case .subscribed?: "No node has published on the bus yet (nodes announce themselves every 5 s)."
            case nil: "Not a cluster console: `dsconsole cluster redis://HOST:PORT` shows a cluster's nodes."
            default: "Not subscribed to the bus yet."
            }
            lines.append(StyledLine(text, .dim))
            return lines
        }
        for node in nodes {
            let selected = node.name == view.selectedName
            let health = NodesViewState.health(of: node, at: now)
            let leaderMark = node.name == view.leader && node.isAlive ? "★ " : "  "
            var spans = [
                StyledSpan((selected ? "▸ " : "  ") + DisplayFormat.fit(leaderMark + node.name, nameWidth), .text)
            ]
            for column in columns {
                spans.append(StyledSpan(" "))
                switch column {
                case .state:
                    let role: ThemeRole = switch health {
                    case .alive: .stateOK
                    case .noStatusYet, .silent: .statePending
                    case .gone: .stateError
                    }
                    spans.append(StyledSpan(DisplayFormat.fit(stateText(health), column.width), role))
                case .lastStatus:
                    spans.append(StyledSpan(DisplayFormat.fit(node.lastStatus.map(clock) ?? "-", column.width), .text))
                case .role:
                    spans.append(StyledSpan(DisplayFormat.fit(node.role ?? "-", column.width), .text))
                case .score:
                    let score = node.leaderScore.map { String(format3($0)) } ?? "-"
                    spans.append(StyledSpan(DisplayFormat.fit(score, column.width, alignRight: true), .text))
                case .rpcs:
                    spans.append(StyledSpan(DisplayFormat.fit("\(node.providedNames.count)", column.width, alignRight: true), .text))
                case .names:
                    let names = node.providedNames.isEmpty ? "-" : node.providedNames.joined(separator: ", ")
                    spans.append(StyledSpan(DisplayFormat.fit(names, namesWidth), .text))
                }
            }
            var line = StyledLine(spans)
            if selected { line = StyledLine(line.spans.map { StyledSpan($0.text, .selected) }) }
            lines.append(line)
            for warning in warnings(node) {
                lines.append(StyledLine("    ⚠ " + DisplayFormat.fit(warning, max(10, width - 7)), .stateError))
            }
        }
        if view.droppedNodes > 0 {
            lines.append(StyledLine("  \(view.droppedNodes) more nodes not kept (at most \(NodesViewState.capacity))", .dim))
        }
        if let selected = view.selectedName.flatMap({ view.nodes[$0] }) {
            lines.append(StyledLine())
            lines += detail(selected, view: view, now: now, width: width)
        }
        return lines
    }

    /// The line index of the selected node's row in ``lines(_:now:width:)`` (nil: none selected).
    package static func selectedLine(_ view: NodesViewState) -> Int? {
        guard let name = view.selectedName else { return nil }
        var line = 1
        for node in view.sortedNodes {
            if node.name == name { return line }
            line += 1 + warnings(node).count
        }
        return nil
    }

    /// The warnings shown under a node's row.
    package static func warnings(_ node: ClusterNodeInfo) -> [String] {
        var warnings: [String] = []
        if node.checksumMismatch {
            let announced = node.lastChecksum.map { " \($0)" } ?? ""
            warnings.append(
                "checksum mismatch: its CHECKSUM\(announced) does not match the \(DisplayFormat.count(node.providedNames.count, "name")) "
                    + "seen on the bus (started after the node, or its registry is stale)")
        }
        for (name, count) in node.bounces.sorted(by: { $0.key < $1.key }) {
            warnings.append("registered for \(name) but answered NO_RPC_PROVIDER \(count)×: stale registry entry?")
        }
        return warnings
    }

    /// `alive`, `silent since 16:00:05`, `gone, silent since 16:00:05`.
    package static func stateText(_ health: NodesViewState.Health) -> String {
        switch health {
        case .alive: "alive"
        case .noStatusYet: "alive, no STATUS yet"
        case .silent(let since): "silent since \(clock(since))"
        case .gone(let since): "gone, silent since \(clock(since))"
        }
    }

    private static func lastStatusText(_ node: ClusterNodeInfo, now: Timestamp?) -> String {
        guard let last = node.lastStatus else { return "-" }
        guard let now, now >= last else { return clock(last) }
        let seconds = now.since(last).components.seconds
        return "\(clock(last)) (\(seconds) s ago)"
    }

    private static func detail(_ node: ClusterNodeInfo, view: NodesViewState, now: Timestamp?, width: Int) -> [StyledLine] {
        var lines = [StyledLine("\(node.name) · \(node.peer) in the Calls and Providers panes", .title)]
        var facts = ["state: \(stateText(NodesViewState.health(of: node, at: now)))", "last STATUS \(lastStatusText(node, now: now))"]
        if node.name == view.leader, node.isAlive { facts.append("leader (highest leaderScore)") }
        if let checksum = node.lastChecksum { facts.append("provider checksum \(checksum)\(node.checksumMismatch ? " (mismatch)" : " (matches)")") }
        lines += DisplayFormat.wrap(facts.joined(separator: " · "), width: max(10, width - 4)).map { StyledLine("  " + $0) }
        if node.providedNames.isEmpty {
            lines.append(StyledLine("  provides no RPC (as far as the bus showed)", .dim))
        } else {
            let text = "provides \(node.providedNames.count): " + node.providedNames.joined(separator: ", ")
            lines += DisplayFormat.wrap(text, width: max(10, width - 4)).map { StyledLine("  " + $0) }
        }
        return lines
    }

    private static func clock(_ time: Timestamp) -> String { String(DisplayFormat.timeOfDay(time).prefix(8)) }

    private static func format3(_ value: Double) -> String {
        let thousandths = Int((value * 1000).rounded())
        let sign = thousandths < 0 ? "-" : ""
        let magnitude = abs(thousandths)
        let fraction = String(magnitude % 1000)
        return "\(sign)\(magnitude / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
    }
}
