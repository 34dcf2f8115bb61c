/// The help overlay's text, generated from a ``Keymap``.
public enum HelpContent {
    /// Width of the key column.
    public static let keyColumnWidth = 24

    /// Section titles and `keys  description` lines for every context.
    public static func lines(for keymap: Keymap) -> [StyledLine] {
        var lines: [StyledLine] = []
        for section in keymap.helpSections() {
            if !lines.isEmpty { lines.append(StyledLine()) }
            lines.append(StyledLine(section.title, .title))
            for entry in section.entries {
                lines.append(StyledLine([
                    StyledSpan("  " + DisplayFormat.fit(entry.keys, keyColumnWidth - 2), .helpKey),
                    StyledSpan(entry.description),
                ]))
            }
        }
        return lines
    }
}
