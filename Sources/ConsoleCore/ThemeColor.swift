/// A colour in a theme: the terminal's default, one of the 16 ANSI colours, or one of the 256 palette
/// colours with a 16-colour fallback.
package enum ThemeColor: Hashable, Sendable, CustomStringConvertible {
    /// The terminal's own foreground or background.
    case terminalDefault
    /// One of the 16 ANSI colours (0–7 normal, 8–15 bright).
    case ansi(Int)
    /// A 256-colour palette index, with the ANSI colour to use on 16-colour terminals.
    case palette(Int, fallback: Int)

    /// The 16 colour names, by ANSI number.
    package static let names = [
        "black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
        "bright-black", "bright-red", "bright-green", "bright-yellow", "bright-blue", "bright-magenta",
        "bright-cyan", "bright-white",
    ]

    /// Parses `default`, a colour name (`cyan`, `bright-black`), `0`–`255`, or `<0–255>/<name or 0–15>`
    /// (a palette colour with its 16-colour fallback). A bare number above 15 falls back to the
    /// nearest ANSI colour.
    package init?(parsing text: String) {
        let lower = text.lowercased()
        if lower == "default" {
            self = .terminalDefault
            return
        }
        if let index = Self.names.firstIndex(of: lower) {
            self = .ansi(index)
            return
        }
        let parts = lower.split(separator: "/", omittingEmptySubsequences: false)
        guard let number = Int(parts[0]), (0...255).contains(number) else { return nil }
        if parts.count == 1 {
            self = number < 16 ? .ansi(number) : .palette(number, fallback: Self.nearestANSI(to: number))
            return
        }
        guard parts.count == 2 else { return nil }
        let fallbackText = String(parts[1])
        if let index = Self.names.firstIndex(of: fallbackText) {
            self = .palette(number, fallback: index)
        } else if let index = Int(fallbackText), (0..<16).contains(index) {
            self = .palette(number, fallback: index)
        } else {
            return nil
        }
    }

    /// The colour number to use on a terminal with `colorCount` colours (nil = terminal default).
    package func index(forColorCount colorCount: Int) -> Int? {
        switch self {
        case .terminalDefault: nil
        case .ansi(let index): colorCount >= 16 ? index : index % 8
        case .palette(let index, let fallback): colorCount >= 256 ? index : (colorCount >= 16 ? fallback : fallback % 8)
        }
    }

    /// The text form the parser accepts.
    package var description: String {
        switch self {
        case .terminalDefault: "default"
        case .ansi(let index): Self.names[index]
        case .palette(let index, let fallback): "\(index)/\(Self.names[fallback])"
        }
    }

    // The xterm 256-colour cube and grey ramp, reduced to the closest of the 16 ANSI colours.
    private static func nearestANSI(to index: Int) -> Int {
        let (r, g, b): (Int, Int, Int)
        if index >= 232 {
            let level = (index - 232) * 10 + 8
            (r, g, b) = (level, level, level)
        } else {
            let cube = index - 16
            let levels = [0, 95, 135, 175, 215, 255]
            (r, g, b) = (levels[cube / 36], levels[cube / 6 % 6], levels[cube % 6])
        }
        let ansi: [(Int, Int, Int)] = [
            (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205),
            (229, 229, 229), (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255),
            (255, 0, 255), (0, 255, 255), (255, 255, 255),
        ]
        var best = 0
        var bestDistance = Int.max
        for (candidate, color) in ansi.enumerated() {
            let distance = (color.0 - r) * (color.0 - r) + (color.1 - g) * (color.1 - g) + (color.2 - b) * (color.2 - b)
            if distance < bestDistance {
                best = candidate
                bestDistance = distance
            }
        }
        return best
    }
}
