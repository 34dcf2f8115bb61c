/// A key press (or a terminal resize) as the console core understands it.
///
/// The terminal layer decodes its own key codes into this type, so the core never sees ncurses.
package enum KeyPress: Hashable, Sendable, CustomStringConvertible {
    /// A printable character (including space).
    case character(Character)
    /// A control chord, e.g. `ctrl("s")` for Ctrl-S. The character is lowercase.
    case ctrl(Character)
    /// Enter / Return.
    case enter
    /// Escape.
    case escape
    /// Tab.
    case tab
    /// Shift-Tab.
    case backTab
    /// Backspace.
    case backspace
    /// Delete (forward).
    case delete
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
    /// Page up.
    case pageUp
    /// Page down.
    case pageDown
    /// Alt (Meta) with a letter, e.g. `alt("b")` for Alt-B.
    case alt(Character)
    /// A mouse click or wheel turn at a 0-based cell (only with `--mouse`).
    case mouse(row: Int, column: Int, MouseAction)
    /// A function key, `function(1)` for F1.
    case function(Int)
    /// The terminal now has this many columns and rows.
    case resize(columns: Int, rows: Int)

    /// How the help screen names the key: `Ctrl-S`, `Shift-Tab`, `Space`, `↑`, `q`.
    package var description: String {
        switch self {
        case .character(" "): "Space"
        case .character(let c): String(c)
        case .ctrl(let c): "Ctrl-\(c.uppercased())"
        case .alt(let c): "Alt-\(c.uppercased())"
        case .enter: "Enter"
        case .escape: "Esc"
        case .tab: "Tab"
        case .backTab: "Shift-Tab"
        case .backspace: "Backspace"
        case .delete: "Delete"
        case .up: "↑"
        case .down: "↓"
        case .left: "←"
        case .right: "→"
        case .home: "Home"
        case .end: "End"
        case .pageUp: "PgUp"
        case .pageDown: "PgDn"
        case .function(let n): "F\(n)"
        case .mouse(_, _, let action): action.rawValue
        case .resize(let columns, let rows): "resize \(columns)×\(rows)"
        }
    }
}
