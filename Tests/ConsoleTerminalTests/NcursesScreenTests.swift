#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import ConsoleTerminal

/// The backend without a terminal: only the paths that must not touch one. Drawing and keys are
/// exercised end to end in tmux (see Tests/dsconsoleTests).
@Suite("NcursesScreen without a terminal")
struct NcursesScreenTests {
    @Test func stoppedScreenIgnoresCalls() throws {
        let screen = NcursesScreen()
        #expect(!screen.isRunning)
        screen.flush(ScreenBuffer(width: 3, height: 1))
        screen.invalidate()
        #expect(try screen.readKey(timeoutMilliseconds: 0) == nil)
        screen.stop()
        screen.stop()
        #expect(!screen.isRunning)
    }

    @Test(.enabled(if: isatty(STDIN_FILENO) == 0, "standard input is a terminal here"))
    func startRefusesInputThatIsNotATerminal() {
        let screen = NcursesScreen()
        #expect(throws: TerminalError.environment(.inputNotTerminal)) {
            try screen.start()
        }
        #expect(!screen.isRunning)
    }
}
