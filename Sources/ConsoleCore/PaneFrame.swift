/// A rectangle of terminal cells, in the core's own terms (the terminal layer converts it to its
/// `Rect`).
public struct PaneFrame: Hashable, Sendable {
    /// Left column.
    public var x: Int
    /// Top row.
    public var y: Int
    /// Width in columns.
    public var width: Int
    /// Height in rows.
    public var height: Int

    /// Creates a frame.
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }

    /// Whether the cell at `row`, `column` lies in the frame.
    public func contains(row: Int, column: Int) -> Bool {
        row >= y && row < y + height && column >= x && column < x + width
    }

    /// The frame inside a one-cell border.
    public var inner: PaneFrame { PaneFrame(x: x + 1, y: y + 1, width: width - 2, height: height - 2) }
}
