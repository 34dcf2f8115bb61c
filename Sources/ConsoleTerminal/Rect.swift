/// A rectangle of screen cells: a top-left corner (row, column) and a size in cells.
///
/// Sizes are never negative: initialisers and helpers clamp them at zero.
package struct Rect: Hashable, Sendable, CustomStringConvertible {
    /// One side of a rectangle.
    package enum Edge: Hashable, Sendable {
        /// The top row.
        case top
        /// The bottom row.
        case bottom
        /// The leftmost column.
        case left
        /// The rightmost column.
        case right
    }

    /// Row of the top edge.
    package var row: Int
    /// Column of the left edge.
    package var column: Int
    /// Number of columns.
    package var width: Int {
        didSet { width = max(width, 0) }
    }
    /// Number of rows.
    package var height: Int {
        didSet { height = max(height, 0) }
    }

    /// Creates a rectangle; a negative width or height becomes zero.
    package init(row: Int, column: Int, width: Int, height: Int) {
        self.row = row
        self.column = column
        self.width = max(width, 0)
        self.height = max(height, 0)
    }

    /// A rectangle at the origin covering `width` × `height` cells.
    package init(width: Int, height: Int) {
        self.init(row: 0, column: 0, width: width, height: height)
    }

    /// Whether the rectangle covers no cell.
    package var isEmpty: Bool { width == 0 || height == 0 }

    /// The row just below the rectangle.
    package var endRow: Int { row + height }

    /// The column just right of the rectangle.
    package var endColumn: Int { column + width }

    /// Whether the cell at (`row`, `column`) lies inside the rectangle.
    package func contains(row: Int, column: Int) -> Bool {
        row >= self.row && row < endRow && column >= self.column && column < endColumn
    }

    /// The cells both rectangles cover (empty, at this rectangle's corner, when they do not meet).
    package func intersection(_ other: Rect) -> Rect {
        let top = max(row, other.row)
        let left = max(column, other.column)
        let bottom = min(endRow, other.endRow)
        let right = min(endColumn, other.endColumn)
        guard bottom > top, right > left else {
            return Rect(row: row, column: column, width: 0, height: 0)
        }
        return Rect(row: top, column: left, width: right - left, height: bottom - top)
    }

    /// The rectangle shrunk by `amount` cells on every side.
    package func inset(by amount: Int) -> Rect {
        inset(top: amount, left: amount, bottom: amount, right: amount)
    }

    /// The rectangle shrunk by the given number of cells on each side; it never gets a negative size.
    package func inset(top: Int = 0, left: Int = 0, bottom: Int = 0, right: Int = 0) -> Rect {
        let newWidth = max(width - left - right, 0)
        let newHeight = max(height - top - bottom, 0)
        return Rect(
            row: row + min(top, height),
            column: column + min(left, width),
            width: newWidth,
            height: newHeight
        )
    }

    /// Splits off a slice `distance` cells thick along `edge`; the remainder is the rest.
    ///
    /// `distance` is clamped to the rectangle, so either part may be empty.
    package func divided(atDistance distance: Int, from edge: Edge) -> (slice: Rect, remainder: Rect) {
        switch edge {
        case .top:
            let thickness = min(max(distance, 0), height)
            return (
                Rect(row: row, column: column, width: width, height: thickness),
                Rect(row: row + thickness, column: column, width: width, height: height - thickness)
            )
        case .bottom:
            let thickness = min(max(distance, 0), height)
            return (
                Rect(row: endRow - thickness, column: column, width: width, height: thickness),
                Rect(row: row, column: column, width: width, height: height - thickness)
            )
        case .left:
            let thickness = min(max(distance, 0), width)
            return (
                Rect(row: row, column: column, width: thickness, height: height),
                Rect(row: row, column: column + thickness, width: width - thickness, height: height)
            )
        case .right:
            let thickness = min(max(distance, 0), width)
            return (
                Rect(row: row, column: endColumn - thickness, width: thickness, height: height),
                Rect(row: row, column: column, width: width - thickness, height: height)
            )
        }
    }

    /// Splits off a slice that is `fraction` (0...1, rounded to whole cells) of the rectangle's
    /// extent perpendicular to `edge`.
    package func divided(atFraction fraction: Double, from edge: Edge) -> (slice: Rect, remainder: Rect) {
        let extent = (edge == .top || edge == .bottom) ? height : width
        let clamped = min(max(fraction.isNaN ? 0 : fraction, 0), 1)
        return divided(atDistance: Int((Double(extent) * clamped).rounded()), from: edge)
    }

    /// `row,column widthxheight`, for test failure messages.
    package var description: String { "\(row),\(column) \(width)x\(height)" }
}
