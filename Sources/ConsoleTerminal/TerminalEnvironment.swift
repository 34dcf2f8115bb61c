#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CNcursesw

/// What the process knows about its terminal before starting ncurses, and the checks that keep
/// ncurses from failing in ways it handles badly (printing its own error and exiting on an unknown
/// `TERM`, drawing blanks forever on `TERM=dumb`, spinning on input from /dev/null).
package struct TerminalEnvironment: Hashable, Sendable {
    /// Whether standard input is a terminal.
    package var isInputTerminal: Bool
    /// Whether standard output is a terminal.
    package var isOutputTerminal: Bool
    /// The `TERM` variable, nil when unset.
    package var terminalType: String?
    /// Whether `NO_COLOR` is set to a non-empty value (https://no-color.org).
    package var isColorDisabled: Bool

    /// Creates an environment description from known facts.
    package init(isInputTerminal: Bool, isOutputTerminal: Bool, terminalType: String?, isColorDisabled: Bool = false) {
        self.isInputTerminal = isInputTerminal
        self.isOutputTerminal = isOutputTerminal
        self.terminalType = terminalType
        self.isColorDisabled = isColorDisabled
    }

    /// The environment of this process: `isatty` on file descriptors 0 and 1, `TERM` and `NO_COLOR`.
    package static func current() -> TerminalEnvironment {
        TerminalEnvironment(
            isInputTerminal: isatty(STDIN_FILENO) == 1,
            isOutputTerminal: isatty(STDOUT_FILENO) == 1,
            terminalType: variable("TERM"),
            isColorDisabled: !(variable("NO_COLOR") ?? "").isEmpty
        )
    }

    /// Checks this environment, asking terminfo whether it knows the terminal type.
    /// Returns the terminal type to start ncurses with.
    package func validate() -> Result<String, TerminalEnvironmentError> {
        Self.validate(
            isTTYIn: isInputTerminal,
            isTTYOut: isOutputTerminal,
            term: terminalType,
            hasTerminfoEntry: Self.hasTerminfoEntry
        )
    }

    /// Checks the preconditions for a full-screen console, in the order a user can fix them.
    /// Pure: terminfo is consulted only through `hasTerminfoEntry`. Returns the terminal type.
    package static func validate(
        isTTYIn: Bool,
        isTTYOut: Bool,
        term: String?,
        hasTerminfoEntry: (String) -> Bool
    ) -> Result<String, TerminalEnvironmentError> {
        guard isTTYIn else { return .failure(.inputNotTerminal) }
        guard isTTYOut else { return .failure(.outputNotTerminal) }
        guard let term, !term.isEmpty else { return .failure(.terminalTypeUnset) }
        guard term != "dumb" else { return .failure(.terminalTypeDumb) }
        guard hasTerminfoEntry(term) else { return .failure(.terminalTypeUnknown(term)) }
        return .success(term)
    }

    /// Whether terminfo has an entry for `term`, asked without letting ncurses print or exit.
    /// Not thread-safe with a running ncurses screen on another thread (it swaps ncurses' current
    /// terminal for a moment); call it before starting one.
    package static func hasTerminfoEntry(_ term: String) -> Bool {
        dsc_terminfo_has_entry(term) != 0
    }

    private static func variable(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        return String(cString: value)
    }
}
