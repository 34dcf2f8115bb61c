import CallStatistics

/// The Stats view's own state: sort, selection, expanded rows, scroll.
package struct StatsViewState: Hashable, Sendable {
    /// The sort column.
    package var sortColumn: StatsColumn = .calls
    /// Whether the sort is reversed from the column's natural order.
    package var reversed = false
    /// The selected RPC name (kept by name so it survives re-sorting).
    package var selectedName: String?
    /// Names whose per-provider breakdown is shown.
    package var expanded: Set<String> = []
    /// The first visible line.
    package var scroll = 0

    /// Creates the initial state: sorted by calls, nothing selected.
    package init() {}

    /// The rows in display order, filtered by `matches` (an RPC name predicate).
    package func sortedRows(_ statistics: RPCStatistics, matching matches: (String) -> Bool) -> [RPCStatisticsRow] {
        let rows = statistics.rows.filter { matches($0.name) }
        let column = sortColumn
        let descending = column.sortsDescending != reversed
        return rows.sorted { lhs, rhs in
            if column == .name {
                return descending ? lhs.name > rhs.name : lhs.name < rhs.name
            }
            let (a, b) = (column.value(lhs.counts), column.value(rhs.counts))
            if a != b { return descending ? a > b : a < b }
            return lhs.name < rhs.name
        }
    }

    /// Moves the selection by `offset` rows within `rows` (clamped); selects the first row when
    /// nothing is selected.
    package mutating func moveSelection(by offset: Int, in rows: [RPCStatisticsRow]) {
        guard !rows.isEmpty else {
            selectedName = nil
            return
        }
        let current = selectedName.flatMap { name in rows.firstIndex { $0.name == name } }
        let target = current.map { min(max($0 + offset, 0), rows.count - 1) } ?? 0
        selectedName = rows[target].name
    }

    /// Sorts by the next (`step` 1) or previous (`step` -1) column among `visible`.
    package mutating func cycleSort(by step: Int, visible: [StatsColumn]) {
        guard !visible.isEmpty else { return }
        let index = visible.firstIndex(of: sortColumn) ?? 0
        sortColumn = visible[(index + step + visible.count) % visible.count]
        reversed = false
    }

    /// Shows or hides the selected row's per-provider breakdown.
    package mutating func toggleExpanded() {
        guard let selectedName else { return }
        if expanded.contains(selectedName) { expanded.remove(selectedName) } else { expanded.insert(selectedName) }
    }
}
