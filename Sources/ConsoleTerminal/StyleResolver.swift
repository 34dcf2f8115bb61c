/// Maps a `Style` onto what a terminal can show: colours outside its palette become the nearest
/// one it has, and without colour they become attributes.
package struct StyleResolver: Hashable, Sendable {
    /// The terminal's colour capability.
    package var capability: ColorCapability
    /// Whether the terminal keeps its own default colours (ncurses' `use_default_colors`
    /// succeeded); otherwise the default is white on black.
    package var hasDefaultColors: Bool

    /// Creates a resolver for a terminal.
    package init(capability: ColorCapability, hasDefaultColors: Bool = true) {
        self.capability = capability
        self.hasDefaultColors = hasDefaultColors
    }

    /// The palette indices and attributes to draw `style` with.
    ///
    /// Monochrome: a background colour turns on reverse video, a grey foreground (bright black or
    /// the darker half of the grey ramp) turns on dim, any other foreground colour turns on bold.
    /// On 8-colour terminals a bright foreground is drawn as its base colour in bold.
    package func resolve(_ style: Style) -> ResolvedStyle {
        var attributes = style.attributes
        switch capability {
        case .monochrome:
            if style.background != .default {
                attributes.insert(.reverse)
            }
            if case .indexed(let index) = style.foreground {
                attributes.insert(Self.isDarkGrey(index) ? .dim : .bold)
            }
            return ResolvedStyle(foreground: -1, background: -1, attributes: attributes)
        case .ansi8:
            var foreground = paletteIndex(style.foreground, limit: 16, default: 7)
            if foreground >= 8 {
                foreground -= 8
                attributes.insert(.bold)
            }
            var background = paletteIndex(style.background, limit: 16, default: 0)
            if background >= 8 { background -= 8 }
            return ResolvedStyle(foreground: foreground, background: background, attributes: attributes)
        case .ansi16:
            return ResolvedStyle(
                foreground: paletteIndex(style.foreground, limit: 16, default: 7),
                background: paletteIndex(style.background, limit: 16, default: 0),
                attributes: attributes
            )
        case .palette256:
            return ResolvedStyle(
                foreground: paletteIndex(style.foreground, limit: 256, default: 7),
                background: paletteIndex(style.background, limit: 256, default: 0),
                attributes: attributes
            )
        }
    }

    /// The index for `color` among the first `limit` palette entries (16 or 256); `fallback` is
    /// the default colour's index when the terminal has no default colours.
    private func paletteIndex(_ color: TerminalColor, limit: Int, default fallback: Int16) -> Int16 {
        switch color {
        case .default:
            return hasDefaultColors ? -1 : fallback
        case .indexed(let index):
            return Int(index) < limit ? Int16(index) : Int16(Self.nearestBasicColor(to: index))
        }
    }

    private static func isDarkGrey(_ index: UInt8) -> Bool {
        index == 8 || (232...243).contains(index)
    }

    // xterm's default RGB values for the 16 basic colours.
    private static let basicColors: [(red: Int, green: Int, blue: Int)] = [
        (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205),
        (229, 229, 229), (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255),
        (255, 0, 255), (0, 255, 255), (255, 255, 255),
    ]

    /// The xterm RGB value of a 256-palette index.
    static func rgb(of index: UInt8) -> (red: Int, green: Int, blue: Int) {
        switch index {
        case 0..<16:
            return basicColors[Int(index)]
        case 16..<232:
            let levels = [0, 95, 135, 175, 215, 255]
            let offset = Int(index) - 16
            return (levels[offset / 36], levels[(offset / 6) % 6], levels[offset % 6])
        default:
            let grey = 8 + 10 * (Int(index) - 232)
            return (grey, grey, grey)
        }
    }

    /// The basic colour (0–15) closest in RGB to a 256-palette index.
    static func nearestBasicColor(to index: UInt8) -> Int {
        let target = rgb(of: index)
        var best = 0
        var bestDistance = Int.max
        for (candidate, color) in basicColors.enumerated() {
            let red = color.red - target.red
            let green = color.green - target.green
            let blue = color.blue - target.blue
            let distance = red * red + green * green + blue * blue
            if distance < bestDistance {
                best = candidate
                bestDistance = distance
            }
        }
        return best
    }
}
