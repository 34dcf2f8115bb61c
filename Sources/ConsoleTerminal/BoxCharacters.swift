/// The light box-drawing characters used for borders and separators.
public enum BoxCharacters {
    /// `─`
    public static let horizontal: Character = "─"
    /// `│`
    public static let vertical: Character = "│"
    /// `┌`
    public static let topLeft: Character = "┌"
    /// `┐`
    public static let topRight: Character = "┐"
    /// `└`
    public static let bottomLeft: Character = "└"
    /// `┘`
    public static let bottomRight: Character = "┘"
    /// `├`, where a horizontal separator meets the left border.
    public static let teeRight: Character = "├"
    /// `┤`, where a horizontal separator meets the right border.
    public static let teeLeft: Character = "┤"
    /// `┬`, where a vertical separator meets the top border.
    public static let teeDown: Character = "┬"
    /// `┴`, where a vertical separator meets the bottom border.
    public static let teeUp: Character = "┴"
}
