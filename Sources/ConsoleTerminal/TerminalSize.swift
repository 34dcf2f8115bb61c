/// The size of the terminal in character cells.
public struct TerminalSize: Hashable, Sendable, CustomStringConvertible {
    /// Number of columns.
    public var columns: Int
    /// Number of rows.
    public var rows: Int

    /// Creates a size.
    public init(columns: Int, rows: Int) {
        self.columns = columns
        self.rows = rows
    }

    /// `columnsxrows`.
    public var description: String { "\(columns)x\(rows)" }
}
