/// A key press (or a terminal event delivered like one) read from the terminal.
package enum Key: Hashable, Sendable {
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
    /// Alt (Meta) with a letter, sent by terminals as ESC and the letter; only the letters the
    /// console binds are decoded (``KeyDecoder/altCodes``).
    case alt(Character)
    /// A mouse event (only with mouse reporting on): `button` 1 = left press, 4 = wheel up,
    /// 5 = wheel down, at a 0-based cell.
    case mouse(row: Int, column: Int, button: Int)
    /// The terminal starts a bracketed paste (`ESC [ 200 ~`): keys up to ``pasteEnd`` were pasted.
    case pasteStart
    /// The bracketed paste ends (`ESC [ 201 ~`).
    case pasteEnd
    /// A key code ncurses reported that has no case here.
    case unknown(Int32)
}
