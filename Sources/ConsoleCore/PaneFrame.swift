/// A rectangle of terminal cells, in the core's own terms (the terminal layer converts it to its
/// `Rect`).
package struct PaneFrame: Hashable, Sendable {
    /// Left column.
    package var x: Int
    /// Top row.
    package var y: Int
    /// Width in columns.
    package var width: Int
    /// Height in rows.
    package var height: Int

    /// Creates a frame.
    package init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }

    /// Whether the cell at `row`, `column` lies in the frame.
    package func contains(row: Int, column: Int) -> Bool {
        row >= y && row < y + height && column >= x && column < x + width
    }

    /// The frame inside a one-cell border.
    package var inner: PaneFrame { PaneFrame(x: x + 1, y: y + 1, width: width - 2, height: height - 2) }
}
