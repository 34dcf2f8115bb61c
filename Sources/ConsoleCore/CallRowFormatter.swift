/// Lays out the Calls pane's columns for a width and formats header and rows.
///
/// Columns: time, name, correlation id, requestor → provider, state, accept latency, total latency,
/// request → response sizes. Name and route matter most: on narrow panes the correlation id (the
/// same prefix on every row) goes first, then the sizes, the accept latency, the time and the total
/// latency, until name and route have room; a rerouted call
/// (a provider rejected it) is marked `↻` before its route (``minimumFlexibleWidth``).
package struct CallRowFormatter: Hashable, Sendable {
    /// A column of the Calls pane.
    package enum Column: String, CaseIterable, Hashable, Sendable {
        /// Start time (UTC).
        case time
        /// RPC name.
        case name
        /// Correlation id.
        case correlationId
        /// requestor → provider.
        case route
        /// State.
        case state
        /// Accept latency.
        case accept
        /// Total latency.
        case total
        /// Payload sizes.
        case sizes

        /// The header text.
        package var header: String {
            switch self {
            case .time: "TIME"
            case .name: "NAME"
            case .correlationId: "CID"
            case .route: "REQUESTOR → PROVIDER"
            case .state: "STATE"
            case .accept: "ACCEPT"
            case .total: "TOTAL"
            case .sizes: "REQ→RES"
            }
        }

        var isRightAligned: Bool { self == .accept || self == .total || self == .sizes }
    }

    /// The columns shown and their widths, left to right.
    package let columns: [(column: Column, width: Int)]

    /// The room name and route get before any other column is kept.
    package static let minimumFlexibleWidth = 34

    /// Lays out columns for a pane `width` characters wide (inside the border).
    package init(width: Int) {
        var fixed: [Column: Int] = [.time: 12, .correlationId: 10, .state: 14, .accept: 7, .total: 7, .sizes: 11]
        func flexible() -> Int { width - fixed.values.reduce(0, +) - (fixed.count + 1) }
        for dropped in [Column.correlationId, .sizes, .accept, .time, .total] where flexible() < Self.minimumFlexibleWidth {
            fixed[dropped] = nil
        }
        let flex = max(2, flexible())
        let nameWidth = max(1, flex * 45 / 100)
        let routeWidth = max(1, flex - nameWidth)
        columns = Column.allCases.compactMap { column in
            switch column {
            case .name: (column, nameWidth)
            case .route: (column, routeWidth)
            default: fixed[column].map { (column, $0) }
            }
        }
    }

    /// The header line.
    package func header() -> StyledLine {
        StyledLine(columns.map { entry in
            let header = entry.column == .route && entry.width < entry.column.header.count ? "FROM → TO" : entry.column.header
            return DisplayFormat.fit(header, entry.width, alignRight: entry.column.isRightAligned)
        }
            .joined(separator: " "), .dim)
    }

    /// A call's row; `route` is its requestor → provider text.
    package func row(_ record: CallRecord, route: String) -> StyledLine {
        var spans: [StyledSpan] = []
        for (offset, entry) in columns.enumerated() {
            let text: String
            var role = ThemeRole.text
            switch entry.column {
            case .time:
                text = DisplayFormat.timeOfDay(record.startedAt)
                role = .dim
            case .name: text = record.name
            case .correlationId: text = record.key.call.correlationId
            case .route:
                let marked = (record.wasRerouted ? "↻ " : "") + route
                text = marked.count > entry.width ? (record.wasRerouted ? "↻ " : "") + Self.compactRoute(route) : marked
            case .state:
                // ⚑ marks a call a steering rule touched; the detail's timeline says which and how.
                text = (record.isSteered ? "⚑ " : "") + record.status.label
                role = record.status.role
            case .accept: text = DisplayFormat.latency(record.acceptLatency)
            case .total: text = DisplayFormat.latency(record.totalLatency)
            case .sizes:
                text = "\(DisplayFormat.bytes(record.requestBytes))→\(DisplayFormat.bytes(record.responseBytes))"
            }
            spans.append(StyledSpan(DisplayFormat.fit(text, entry.width, alignRight: entry.column.isRightAligned), role))
            if offset < columns.count - 1 { spans.append(StyledSpan(" ")) }
        }
        return StyledLine(spans)
    }

    /// The route without connection numbers (`#3 alice → #2 bob` → `alice → bob`), for narrow
    /// columns: names identify peers better than their numbers.
    static func compactRoute(_ route: String) -> String {
        route.split(separator: " ").filter { word in
            !(word.first == "#" && word.dropFirst().allSatisfy(\.isNumber) && word.count > 1)
        }.joined(separator: " ")
    }

    /// Two formatters are equal when they show the same columns at the same widths.
    package static func == (lhs: CallRowFormatter, rhs: CallRowFormatter) -> Bool {
        lhs.columns.elementsEqual(rhs.columns) { $0.column == $1.column && $0.width == $1.width }
    }

    /// Hashes the columns.
    package func hash(into hasher: inout Hasher) {
        for entry in columns {
            hasher.combine(entry.column)
            hasher.combine(entry.width)
        }
    }
}
