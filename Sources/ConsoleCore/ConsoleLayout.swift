/// Where each pane goes for a terminal size. Pure, so the reducer knows list heights for scrolling
/// and the views draw exactly there.
///
/// ```
/// ┌ Providers ──────┐┌ Composer ───────────────────┐   top band: 2/5 of the rows (at least 9)
/// └─────────────────┘└─────────────────────────────┘
/// ┌ Calls ────────────────────────────────────────┐   the rest
/// └───────────────────────────────────────────────┘
///  status line                                          1 row
/// ```
/// The detail view and the help overlay cover everything above the status line.
package struct ConsoleLayout: Hashable, Sendable {
    /// The smallest terminal the console draws on; below it a "too small" message is shown.
    package static let minimumColumns = 60
    /// See ``minimumColumns``.
    package static let minimumRows = 16

    /// Terminal columns.
    package let columns: Int
    /// Terminal rows.
    package let rows: Int

    /// Computes the layout for a terminal size.
    package init(columns: Int, rows: Int) {
        self.columns = max(0, columns)
        self.rows = max(0, rows)
    }

    /// Whether the terminal is too small to draw the console.
    package var isTooSmall: Bool { columns < Self.minimumColumns || rows < Self.minimumRows }

    private var topHeight: Int { max(9, (rows - 1) * 2 / 5) }
    private var providersWidth: Int { columns * 2 / 5 }

    /// The Providers pane.
    package var providers: PaneFrame { PaneFrame(x: 0, y: 0, width: providersWidth, height: topHeight) }
    /// The Composer pane.
    package var composer: PaneFrame {
        PaneFrame(x: providersWidth, y: 0, width: columns - providersWidth, height: topHeight)
    }
    /// The Calls pane.
    package var calls: PaneFrame { PaneFrame(x: 0, y: topHeight, width: columns, height: rows - 1 - topHeight) }
    /// The status line.
    package var status: PaneFrame { PaneFrame(x: 0, y: rows - 1, width: columns, height: 1) }
    /// The detail view (everything above the status line).
    package var detail: PaneFrame { PaneFrame(x: 0, y: 0, width: columns, height: rows - 1) }
    /// The help overlay, centred above the status line.
    package var help: PaneFrame {
        let width = min(columns - 4, 84)
        let height = rows - 3
        return PaneFrame(x: (columns - width) / 2, y: 1, width: width, height: height)
    }

    /// The frame of a pane.
    package func frame(of pane: Pane) -> PaneFrame {
        switch pane {
        case .providers: providers
        case .composer: composer
        case .calls: calls
        }
    }

    /// Call rows that fit in the Calls pane (one inner row is the column header, one the filter or
    /// pause line).
    package var callListHeight: Int { max(1, calls.inner.height - 2) }
    /// Provider rows that fit in the Providers pane (one inner row is the column header).
    package var providerListHeight: Int { max(1, providers.inner.height - 1) }
    /// Body lines visible in the composer (name, separator, validation and result take four rows).
    package var composerBodyHeight: Int { max(1, composer.inner.height - 4) }
    /// Lines visible in the detail view.
    package var detailHeight: Int { max(1, detail.inner.height) }
    /// Lines visible in the help overlay.
    package var helpHeight: Int { max(1, help.inner.height) }
}
