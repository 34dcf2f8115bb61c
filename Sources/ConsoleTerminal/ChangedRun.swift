/// Consecutive cells of one row that differ between two screen buffers: what the backend redraws.
package struct ChangedRun: Hashable, Sendable {
    /// The row of the run.
    package var row: Int
    /// The column of the run's first cell.
    package var column: Int
    /// The new cells, left to right; continuation cells included (the backend skips them).
    package var cells: [Cell]

    /// Creates a run of `cells` starting at (`row`, `column`).
    package init(row: Int, column: Int, cells: [Cell]) {
        self.row = row
        self.column = column
        self.cells = cells
    }

    /// The column just right of the run.
    package var endColumn: Int { column + cells.count }
}
