import ConsoleCore
import Testing

@Suite("Themes")
struct ThemeTests {
    /// The repository's `themes/` directory (tests read the shipped files, nothing outside the repo).
    static let themesDirectory = URLPath.repositoryRoot + "/themes/"

    static func load(_ file: String) throws -> String {
        try String(contentsOfPath: themesDirectory + file)
    }

    @Test(arguments: ["dark.theme", "light.theme", "monochrome.theme"])
    func shippedThemeParsesAndDefinesEveryRole(file: String) throws {
        let theme = try Theme(parsing: Self.load(file))
        #expect(theme.name + ".theme" == file)
        #expect(theme.undefinedRoles.isEmpty, "undefined: \(theme.undefinedRoles)")
    }

    @Test func monochromeUsesOnlyAttributes() throws {
        let theme = try Theme(parsing: Self.load("monochrome.theme"))
        for role in ThemeRole.allCases {
            #expect(!theme[role].usesColor, "\(role) uses colour")
        }
        #expect(theme[.selected].attributes == [.reverse])
    }

    @Test func builtInDarkThemeMatchesTheFile() throws {
        #expect(Theme.dark == (try Theme(parsing: Self.load("dark.theme"))))
        #expect(Theme.dark.name == "dark")
    }

    @Test func colorsWith16And256Values() {
        #expect(ThemeColor(parsing: "cyan") == .ansi(6))
        #expect(ThemeColor(parsing: "bright-black") == .ansi(8))
        #expect(ThemeColor(parsing: "12") == .ansi(12))
        #expect(ThemeColor(parsing: "39/cyan") == .palette(39, fallback: 6))
        #expect(ThemeColor(parsing: "236/4") == .palette(236, fallback: 4))
        #expect(ThemeColor(parsing: "196") == .palette(196, fallback: 9))
        #expect(ThemeColor(parsing: "default") == .terminalDefault)
        #expect(ThemeColor(parsing: "256") == nil)
        #expect(ThemeColor(parsing: "39/purple") == nil)
        #expect(ThemeColor(parsing: "teal") == nil)
        let color = ThemeColor.palette(39, fallback: 6)
        #expect(color.index(forColorCount: 256) == 39)
        #expect(color.index(forColorCount: 16) == 6)
        #expect(ThemeColor.ansi(14).index(forColorCount: 8) == 6)
    }

    @Test func parsesStylesAndComments() throws {
        let theme = try Theme(parsing: """
            # a comment
            name = test
            title = fg:cyan bold   # trailing comment
            selected = fg:black bg:39/cyan reverse
            text = plain
            """)
        #expect(theme[.title] == ThemeStyle(foreground: .ansi(6), attributes: [.bold]))
        #expect(theme[.selected] == ThemeStyle(foreground: .ansi(0), background: .palette(39, fallback: 6), attributes: [.reverse]))
        #expect(theme[.text] == ThemeStyle())
        #expect(theme[.border] == ThemeStyle())
        #expect(theme.undefinedRoles.contains(.border))
    }

    @Test(arguments: [
        ("name = x\nbordr = bold", 2, "unknown role \"bordr\""),
        ("name = x\n\ntitle = fg:teal", 3, "unknown colour \"teal\""),
        ("name = x\ntitle = blinking", 2, "unknown style token \"blinking\""),
        ("name = x\ntitle bold", 2, "expected `role = style`"),
        ("name = x\ntitle = bold\ntitle = dim", 3, "role \"title\" defined twice"),
        ("name = x\ntitle =", 2, "empty style (use `plain`)"),
        ("title = bold", 1, "missing `name = …`"),
    ])
    func reportsErrorsWithLineNumbers(text: String, line: Int, message: String) {
        #expect(throws: ThemeParseError(line: line, message: message)) { try Theme(parsing: text) }
    }
}
