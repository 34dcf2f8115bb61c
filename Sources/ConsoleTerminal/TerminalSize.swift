/// The size of the terminal in character cells.
package struct TerminalSize: Hashable, Sendable, CustomStringConvertible {
    /// Number of columns.
    package var columns: Int
    /// Number of rows.
    package var rows: Int

    /// Creates a size.
    package init(columns: Int, rows: Int) {
        self.columns = columns
        self.rows = rows
    }

    /// `columnsxrows`.
    package var description: String { "\(columns)x\(rows)" }
}
