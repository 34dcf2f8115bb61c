import ConsoleCore

/// A theme's roles resolved to terminal styles for one colour capability.
///
/// Palette colours use their 16-colour fallback below 256 colours; `StyleResolver` then maps what is
/// left to what the terminal has. Attributes the terminal layer lacks are approximated: italic is drawn
/// underlined, standout as bold reverse.
package struct ThemeStyles: Hashable, Sendable {
    private let styles: [ThemeRole: Style]

    /// Resolves `theme` for `capability`.
    package init(theme: Theme, capability: ColorCapability = .palette256) {
        var styles: [ThemeRole: Style] = [:]
        for role in ThemeRole.allCases {
            styles[role] = Self.style(theme[role], capability: capability)
        }
        self.styles = styles
    }

    /// The style for `role`.
    package subscript(role: ThemeRole) -> Style { styles[role] ?? .plain }

    /// Converts one theme style.
    package static func style(_ style: ThemeStyle, capability: ColorCapability) -> Style {
        var attributes: Style.Attributes = []
        for attribute in style.attributes {
            switch attribute {
            case .bold: attributes.insert(.bold)
            case .dim: attributes.insert(.dim)
            case .underline, .italic: attributes.insert(.underline)
            case .reverse: attributes.insert(.reverse)
            case .standout: attributes.formUnion([.reverse, .bold])
            }
        }
        return Style(
            foreground: color(style.foreground, capability: capability),
            background: color(style.background, capability: capability),
            attributes: attributes)
    }

    private static func color(_ color: ThemeColor?, capability: ColorCapability) -> TerminalColor {
        guard let color, let index = color.index(forColorCount: capability == .palette256 ? 256 : 16) else {
            return .default
        }
        return .indexed(UInt8(index))
    }
}
