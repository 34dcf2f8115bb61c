/// Why the console cannot run in the current terminal. `description` is one line, fit for stderr.
package enum TerminalEnvironmentError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Standard input is not a terminal (a pipe, a file or /dev/null).
    case inputNotTerminal
    /// Standard output is not a terminal.
    case outputNotTerminal
    /// `TERM` is unset or empty.
    case terminalTypeUnset
    /// `TERM` is `dumb`, which cannot position the cursor.
    case terminalTypeDumb
    /// terminfo has no entry for the named `TERM`.
    case terminalTypeUnknown(String)

    /// A one-line explanation with the fix.
    package var description: String {
        switch self {
        case .inputNotTerminal:
            "standard input is not a terminal; run the console in an interactive terminal, not with input from a pipe or file"
        case .outputNotTerminal:
            "standard output is not a terminal; run the console in an interactive terminal, not with output to a pipe or file"
        case .terminalTypeUnset:
            "TERM is not set; set it to your terminal's type, for example TERM=xterm-256color"
        case .terminalTypeDumb:
            "TERM=dumb cannot draw a full-screen console; set TERM to your terminal's type, for example TERM=xterm-256color"
        case .terminalTypeUnknown(let name):
            "TERM=\(name) is unknown to terminfo; install its terminfo entry or set TERM=xterm-256color"
        }
    }
}
