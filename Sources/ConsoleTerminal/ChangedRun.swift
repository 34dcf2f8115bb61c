/// Consecutive cells of one row that differ between two screen buffers: what the backend redraws.
public struct ChangedRun: Hashable, Sendable {
    /// The row of the run.
    public var row: Int
    /// The column of the run's first cell.
    public var column: Int
    /// The new cells, left to right; continuation cells included (the backend skips them).
    public var cells: [Cell]

    /// Creates a run of `cells` starting at (`row`, `column`).
    public init(row: Int, column: Int, cells: [Cell]) {
        self.row = row
        self.column = column
        self.cells = cells
    }

    /// The column just right of the run.
    public var endColumn: Int { column + cells.count }
}
