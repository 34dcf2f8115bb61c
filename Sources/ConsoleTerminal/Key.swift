/// A key press (or a terminal event delivered like one) read from the terminal.
public enum Key: Hashable, Sendable {
    /// A printable character.
    case character(Character)
    /// A control combination, named by its lower-case letter or symbol: Ctrl-A is `ctrl("a")`,
    /// Ctrl-Space `ctrl(" ")`, Ctrl-\ `ctrl("\\")`. Ctrl-H, Ctrl-I, Ctrl-J, Ctrl-M and Ctrl-[
    /// cannot be told apart from backspace, tab, enter and escape, and arrive as those.
    case ctrl(Character)
    /// Return or Enter (also the keypad Enter).
    case enter
    /// Escape, after ncurses' escape delay.
    case escape
    /// Tab.
    case tab
    /// Shift-Tab.
    case backTab
    /// Backspace.
    case backspace
    /// Delete (forward delete).
    case delete
    /// Insert.
    case insert
    /// Arrow up.
    case up
    /// Arrow down.
    case down
    /// Arrow left.
    case left
    /// Arrow right.
    case right
    /// Home.
    case home
    /// End.
    case end
    /// Page Up.
    case pageUp
    /// Page Down.
    case pageDown
    /// Function key F*n*.
    case function(Int)
    /// The terminal was resized; read the new size from the backend.
    case resize
    /// A key code ncurses reported that has no case here.
    case unknown(Int32)
}
