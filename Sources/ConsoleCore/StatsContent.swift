import CallStatistics
import DeepstreamProtocol

/// Builds the Stats view's lines: a table with one row per RPC name (sorted, filtered, with a
/// calls-per-second sparkline of the last minute), per-provider rows under expanded names, and the
/// selected name's total-latency distribution drawn with block characters.
package enum StatsContent {
    /// Characters of the sparkline, from one call to the busiest second.
    static let sparks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
    /// The narrowest name column.
    static let minimumNameWidth = 12
    /// The sparkline's width when there is room for it.
    static let sparklineWidth = 20

    /// The table's columns for `width`: the most important ones that fit, in table order, and
    /// whether the sparkline fits too.
    package static func columns(forWidth width: Int) -> (columns: [StatsColumn], sparkline: Bool) {
        var room = width - minimumNameWidth
        let sparkline = width >= 80
        if sparkline { room -= sparklineWidth + 1 }
        var chosen: Set<StatsColumn> = []
        for column in StatsColumn.allCases.filter({ $0 != .name }).sorted(by: { $0.dropOrder > $1.dropOrder }) {
            guard room >= column.width + 1 else { continue }
            room -= column.width + 1
            chosen.insert(column)
        }
        return ([.name] + StatsColumn.allCases.filter { chosen.contains($0) }, sparkline)
    }

    /// The lines for a view `width` characters wide.
    package static func lines(
        _ statistics: RPCStatistics, view: StatsViewState, width: Int, matching matches: (String) -> Bool
    ) -> [StyledLine] {
        let (columns, sparkline) = columns(forWidth: width)
        let fixed = columns.dropFirst().reduce(0) { $0 + $1.width + 1 } + (sparkline ? sparklineWidth + 1 : 0)
        let nameWidth = max(minimumNameWidth, width - fixed)
        var lines = [header(columns, nameWidth: nameWidth, sparkline: sparkline, view: view)]
        let rows = view.sortedRows(statistics, matching: matches)
        if rows.isEmpty {
            let reason = statistics.rows.isEmpty ? "No call has ended yet." : "No RPC name matches the filter."
            lines.append(StyledLine(reason, .dim))
            return lines
        }
        for row in rows {
            let selected = row.name == view.selectedName
            let expanded = view.expanded.contains(row.name)
            let marker = row.providers.isEmpty ? "  " : (expanded ? "▾ " : "▸ ")
            var line = cells(
                marker + row.name, row.counts, columns, nameWidth: nameWidth, sparkline: sparkline, nameRole: .text
            )
            if selected { line = StyledLine(line.spans.map { StyledSpan($0.text, .selected) }) }
            lines.append(line)
            if expanded {
                for entry in row.providers {
                    lines.append(cells(
                        "    " + entry.provider, entry.counts, columns, nameWidth: nameWidth, sparkline: sparkline,
                        nameRole: .dim
                    ))
                }
            }
        }
        if statistics.overflowCalls > 0 {
            lines.append(StyledLine(
                "\(statistics.overflowCalls) calls of names beyond the first \(statistics.limits.names) are in \(RPCStatistics.otherName)",
                .dim
            ))
        }
        if let name = view.selectedName, let row = rows.first(where: { $0.name == name }) {
            lines.append(StyledLine())
            lines += distribution(row, width: width)
        }
        return lines
    }

    /// The line index of the selected row within ``lines(_:view:width:matching:)`` (for scrolling).
    package static func selectedLine(_ statistics: RPCStatistics, view: StatsViewState, matching matches: (String) -> Bool) -> Int? {
        guard let name = view.selectedName else { return nil }
        var line = 1
        for row in view.sortedRows(statistics, matching: matches) {
            if row.name == name { return line }
            line += 1 + (view.expanded.contains(row.name) ? row.providers.count : 0)
        }
        return nil
    }

    private static func header(_ columns: [StatsColumn], nameWidth: Int, sparkline: Bool, view: StatsViewState) -> StyledLine {
        var spans: [StyledSpan] = []
        for column in columns {
            var title = column.rawValue
            if column == view.sortColumn { title += (column.sortsDescending != view.reversed) ? "↓" : "↑" }
            let text = column == .name ? DisplayFormat.fit("  " + title, nameWidth) : " " + DisplayFormat.fit(title, column.width, alignRight: true)
            spans.append(StyledSpan(text, column == view.sortColumn ? .helpKey : .title))
        }
        if sparkline { spans.append(StyledSpan(" " + DisplayFormat.fit("LAST MINUTE", sparklineWidth), .title)) }
        return StyledLine(spans)
    }

    private static func cells(
        _ name: String, _ counts: CallCounts, _ columns: [StatsColumn], nameWidth: Int, sparkline: Bool, nameRole: ThemeRole
    ) -> StyledLine {
        var spans = [StyledSpan(DisplayFormat.fit(name, nameWidth), nameRole)]
        for column in columns.dropFirst() {
            let text = column.text(counts)
            let role: ThemeRole
            switch column {
            case .requestError, .noProvider, .acceptTimeout, .responseTimeout, .other:
                role = text == "0" ? .dim : .stateError
            case .rerouted:
                role = text == "0" ? .dim : .statePending
            default:
                role = .text
            }
            spans.append(StyledSpan(" " + DisplayFormat.fit(text, column.width, alignRight: true), role))
        }
        if sparkline { spans.append(StyledSpan(" " + self.sparkline(counts.rate.perSecondCounts, width: sparklineWidth), .stateOK)) }
        return StyledLine(spans)
    }

    /// `counts` (oldest first) squeezed into `width` characters, each the sum of its seconds, scaled
    /// to the busiest character; blank for none.
    static func sparkline(_ counts: [Int], width: Int) -> String {
        guard width > 0, !counts.isEmpty else { return "" }
        let perCharacter = max(1, (counts.count + width - 1) / width)
        var sums: [Int] = []
        var index = counts.count % perCharacter == 0 ? 0 : -(perCharacter - counts.count % perCharacter)
        while index < counts.count {
            let range = max(0, index)..<min(counts.count, index + perCharacter)
            sums.append(counts[range].reduce(0, +))
            index += perCharacter
        }
        let peak = sums.max() ?? 0
        let text = String(sums.map { sum -> Character in
            guard sum > 0, peak > 0 else { return " " }
            return sparks[min(sparks.count - 1, (sum * sparks.count - 1) / peak)]
        })
        return DisplayFormat.fit(text, width, alignRight: true)
    }

    private static func distribution(_ row: RPCStatisticsRow, width: Int) -> [StyledLine] {
        let histogram = row.counts.totalLatency
        guard histogram.count > 0 else { return [StyledLine("\(row.name): no latency recorded yet", .dim)] }
        var lines = [StyledLine([
            StyledSpan("Total latency of ", .title), StyledSpan(row.name, .helpKey),
            StyledSpan(" (\(histogram.count) calls)", .title),
        ])]
        let buckets = histogram.distribution(bucketCount: 8)
        let peak = buckets.map(\.count).max() ?? 1
        let barWidth = max(4, min(50, width - 24))
        for bucket in buckets {
            let length = bucket.count == 0 ? 0 : max(1, Int(Double(bucket.count) / Double(peak) * Double(barWidth)))
            lines.append(StyledLine([
                StyledSpan(DisplayFormat.fit("≤ " + StatsColumn.milliseconds(bucket.upToMilliseconds), 10, alignRight: true), .dim),
                StyledSpan(" " + String(repeating: "█", count: length), .stateOK),
                StyledSpan(" \(bucket.count)", .text),
            ]))
        }
        return lines
    }
}
