import Testing
@testable import ConsoleTerminal

@Suite("TerminalRestorer sequences")
struct TerminalRestorerTests {
    @Test func paddingIsRemoved() {
        let bytes = Array("\u{1B}[?1049l$<5>\u{1B}[?25h$<2*/>x".utf8)
        #expect(TerminalRestorer.withoutPadding(bytes) == Array("\u{1B}[?1049l\u{1B}[?25hx".utf8))
    }

    @Test func unterminatedPaddingIsKept() {
        let bytes = Array("a$<5".utf8)
        #expect(TerminalRestorer.withoutPadding(bytes) == bytes)
    }

    @Test func sequenceJoinsCapabilitiesInRestoreOrder() {
        let capabilities = ["sgr0": "S", "cnorm": "C", "rmcup": "R$<10>"]
        let sequence = TerminalRestorer.restoreSequence { capabilities[$0].map { Array($0.utf8) } }
        #expect(sequence == Array("\u{1B}[?2004lSCR".utf8))
    }
}
