/// How many colours the console may use on this terminal.
package enum ColorCapability: Hashable, Sendable {
    /// No colour: colours are replaced by bold, dim and reverse video.
    case monochrome
    /// The 8 ANSI colours; bright foregrounds are drawn as bold.
    case ansi8
    /// The 8 ANSI colours and their bright variants.
    case ansi16
    /// The xterm 256-colour palette.
    case palette256

    /// The capability for a terminal reporting `colorCount` colours (ncurses' `COLORS`, 0 when
    /// `has_colors()` is false), or monochrome when the user disabled colour (`NO_COLOR`).
    package static func detect(colorCount: Int, isColorDisabled: Bool) -> ColorCapability {
        if isColorDisabled { return .monochrome }
        switch colorCount {
        case 256...: return .palette256
        case 16...: return .ansi16
        case 8...: return .ansi8
        default: return .monochrome
        }
    }

    /// Number of palette entries used.
    package var colorCount: Int {
        switch self {
        case .monochrome: 0
        case .ansi8: 8
        case .ansi16: 16
        case .palette256: 256
        }
    }
}
