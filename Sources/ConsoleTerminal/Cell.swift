/// One column of one row of a `ScreenBuffer`.
///
/// A double-width character occupies two cells: the left one holds the character and the right
/// one is a *continuation* cell that holds nothing of its own and is never drawn.
package struct Cell: Hashable, Sendable {
    /// The grapheme shown in this cell; a space when the cell is blank or a continuation.
    package private(set) var character: Character
    /// How the cell is drawn.
    package var style: Style
    // Stored rather than computed: the diff and the backend ask for it for every cell of every frame.
    private var storedWidth: UInt8

    /// Creates a cell showing `character`. Characters of width 0 are stored as if one column wide;
    /// `ScreenBuffer.put` skips them before they get here.
    package init(_ character: Character, style: Style = .plain) {
        self.character = character
        self.style = style
        self.storedWidth = UInt8(max(character.terminalWidth, 1))
    }

    /// The right half of a double-width character drawn in `style`.
    package static func continuation(style: Style) -> Cell {
        var cell = Cell(" ", style: style)
        cell.storedWidth = 0
        return cell
    }

    /// A blank cell with default colours.
    package static let blank = Cell(" ")

    /// Columns the cell's character occupies: 2 for a double-width character, 0 for a
    /// continuation cell, otherwise 1.
    package var width: Int { Int(storedWidth) }

    /// Whether this cell is the right half of the double-width character in the cell to its left.
    package var isContinuation: Bool { storedWidth == 0 }

    /// Whether this cell holds the left half of a double-width character.
    package var isWide: Bool { storedWidth == 2 }
}
