import ConsoleCore

extension KeyPress {
    /// The core's key for a terminal key; `size` is the terminal size for `.resize`. Nil for keys the
    /// console does not use (Insert, unknown codes).
    package init?(_ key: Key, size: TerminalSize) {
        switch key {
        case .character(let character): self = .character(character)
        case .ctrl(let character): self = .ctrl(character)
        case .alt(let character): self = .alt(character)
        case .mouse(let row, let column, let button):
            switch button {
            case 1: self = .mouse(row: row, column: column, .click)
            case 4: self = .mouse(row: row, column: column, .wheelUp)
            case 5: self = .mouse(row: row, column: column, .wheelDown)
            default: return nil
            }
        case .enter: self = .enter
        case .escape: self = .escape
        case .tab: self = .tab
        case .backTab: self = .backTab
        case .backspace: self = .backspace
        case .delete: self = .delete
        case .up: self = .up
        case .down: self = .down
        case .left: self = .left
        case .right: self = .right
        case .home: self = .home
        case .end: self = .end
        case .pageUp: self = .pageUp
        case .pageDown: self = .pageDown
        case .function(let number): self = .function(number)
        case .resize: self = .resize(columns: size.columns, rows: size.rows)
        case .insert, .unknown, .pasteStart, .pasteEnd: return nil
        }
    }
}
