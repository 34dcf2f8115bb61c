/// The light box-drawing characters used for borders and separators.
package enum BoxCharacters {
    /// `─`
    package static let horizontal: Character = "─"
    /// `│`
    package static let vertical: Character = "│"
    /// `┌`
    package static let topLeft: Character = "┌"
    /// `┐`
    package static let topRight: Character = "┐"
    /// `└`
    package static let bottomLeft: Character = "└"
    /// `┘`
    package static let bottomRight: Character = "┘"
    /// `├`, where a horizontal separator meets the left border.
    package static let teeRight: Character = "├"
    /// `┤`, where a horizontal separator meets the right border.
    package static let teeLeft: Character = "┤"
    /// `┬`, where a vertical separator meets the top border.
    package static let teeDown: Character = "┬"
    /// `┴`, where a vertical separator meets the bottom border.
    package static let teeUp: Character = "┴"
}
