/// A terminal colour: the terminal's own default, or an index into the xterm 256-colour palette.
///
/// Indices 0–7 are the ANSI colours, 8–15 their bright variants, 16–231 a 6×6×6 colour cube and
/// 232–255 a grey ramp. Terminals with fewer colours get the nearest available one (see
/// `StyleResolver`).
package enum TerminalColor: Hashable, Sendable {
    /// The terminal's default foreground or background colour.
    case `default`
    /// An xterm 256-colour palette index.
    case indexed(UInt8)

    /// ANSI black (palette index 0).
    package static let black = TerminalColor.indexed(0)
    /// ANSI red (palette index 1).
    package static let red = TerminalColor.indexed(1)
    /// ANSI green (palette index 2).
    package static let green = TerminalColor.indexed(2)
    /// ANSI yellow (palette index 3).
    package static let yellow = TerminalColor.indexed(3)
    /// ANSI blue (palette index 4).
    package static let blue = TerminalColor.indexed(4)
    /// ANSI magenta (palette index 5).
    package static let magenta = TerminalColor.indexed(5)
    /// ANSI cyan (palette index 6).
    package static let cyan = TerminalColor.indexed(6)
    /// ANSI white, usually light grey (palette index 7).
    package static let white = TerminalColor.indexed(7)
    /// Bright black, usually dark grey (palette index 8).
    package static let brightBlack = TerminalColor.indexed(8)
    /// Bright red (palette index 9).
    package static let brightRed = TerminalColor.indexed(9)
    /// Bright green (palette index 10).
    package static let brightGreen = TerminalColor.indexed(10)
    /// Bright yellow (palette index 11).
    package static let brightYellow = TerminalColor.indexed(11)
    /// Bright blue (palette index 12).
    package static let brightBlue = TerminalColor.indexed(12)
    /// Bright magenta (palette index 13).
    package static let brightMagenta = TerminalColor.indexed(13)
    /// Bright cyan (palette index 14).
    package static let brightCyan = TerminalColor.indexed(14)
    /// Bright white (palette index 15).
    package static let brightWhite = TerminalColor.indexed(15)

    /// A colour of the 6×6×6 cube; each component is clamped to 0...5.
    package static func cube(red: Int, green: Int, blue: Int) -> TerminalColor {
        let clamp = { (value: Int) in min(max(value, 0), 5) }
        return .indexed(UInt8(16 + 36 * clamp(red) + 6 * clamp(green) + clamp(blue)))
    }

    /// A grey of the 24-step ramp, 0 (darkest) to 23 (lightest); clamped.
    package static func grey(_ level: Int) -> TerminalColor {
        .indexed(UInt8(232 + min(max(level, 0), 23)))
    }
}
