import Testing
@testable import ConsoleTerminal

@Suite("Terminal width")
struct TerminalWidthTests {
    @Test(arguments: [
        ("a", 1), ("~", 1), ("é", 1), ("─", 1), ("漢", 2), ("한", 2), ("ｱ", 1), ("Ａ", 2), ("🚀", 2),
        ("\u{3000}", 2), ("e\u{301}", 1), ("\u{200B}", 0), ("\u{301}", 0), ("❤", 1),
    ])
    func characterWidths(text: String, expected: Int) {
        #expect(Character(text).terminalWidth == expected)
    }

    @Test func controlCharactersHaveNoWidth() {
        #expect(Character("\u{1B}").terminalWidth == 0)
        #expect(Character("\u{85}").terminalWidth == 0)
    }

    @Test func stringWidthSumsGraphemes() {
        #expect("ab漢🚀e\u{301}".terminalWidth == 2 + 2 + 2 + 1)
        #expect("".terminalWidth == 0)
    }
}
