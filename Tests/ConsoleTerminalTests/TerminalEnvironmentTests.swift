import Testing
@testable import ConsoleTerminal

@Suite("TerminalEnvironment")
struct TerminalEnvironmentTests {
    private func validate(
        isTTYIn: Bool = true,
        isTTYOut: Bool = true,
        term: String? = "xterm-256color",
        known: Set<String> = ["xterm-256color", "screen"]
    ) -> Result<String, TerminalEnvironmentError> {
        TerminalEnvironment.validate(isTTYIn: isTTYIn, isTTYOut: isTTYOut, term: term) { known.contains($0) }
    }

    @Test func acceptsAKnownTerminal() {
        #expect(validate() == .success("xterm-256color"))
        #expect(validate(term: "screen") == .success("screen"))
    }

    @Test func rejectsInputThatIsNotATerminal() {
        #expect(validate(isTTYIn: false) == .failure(.inputNotTerminal))
        #expect(validate(isTTYIn: false, isTTYOut: false, term: nil) == .failure(.inputNotTerminal))
    }

    @Test func rejectsOutputThatIsNotATerminal() {
        #expect(validate(isTTYOut: false) == .failure(.outputNotTerminal))
    }

    @Test func rejectsMissingTerm() {
        #expect(validate(term: nil) == .failure(.terminalTypeUnset))
        #expect(validate(term: "") == .failure(.terminalTypeUnset))
    }

    @Test func rejectsDumbTerm() {
        #expect(validate(term: "dumb", known: ["dumb"]) == .failure(.terminalTypeDumb))
    }

    @Test func rejectsTermUnknownToTerminfo() {
        #expect(validate(term: "no-such-terminal") == .failure(.terminalTypeUnknown("no-such-terminal")))
    }

    @Test(arguments: [
        TerminalEnvironmentError.inputNotTerminal, .outputNotTerminal, .terminalTypeUnset, .terminalTypeDumb,
        .terminalTypeUnknown("vt999"),
    ])
    func errorsAreOneLine(error: TerminalEnvironmentError) {
        #expect(!error.description.isEmpty)
        #expect(!error.description.contains("\n"))
    }

    @Test func unknownTermNamesTheTerm() {
        #expect(TerminalEnvironmentError.terminalTypeUnknown("vt999").description.contains("TERM=vt999"))
    }

    @Test func terminfoLookupWithoutATerminal() {
        // Reads the terminfo database only; safe without a terminal and never exits the process.
        #expect(TerminalEnvironment.hasTerminfoEntry("xterm"))
        #expect(!TerminalEnvironment.hasTerminfoEntry("no-such-terminal-type"))
    }
}
