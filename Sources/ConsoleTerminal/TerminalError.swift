/// Why the terminal backend cannot start or go on. `description` is one line, fit for stderr.
package enum TerminalError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The process is not attached to a usable terminal.
    case environment(TerminalEnvironmentError)
    /// Another `NcursesScreen` is already running in this process (ncurses has one screen).
    case alreadyActive
    /// ncurses could not start on the terminal type.
    case startFailed(terminalType: String)
    /// Standard input was closed (end of file or hang-up), so no more keys can arrive.
    case inputClosed

    /// A one-line explanation.
    package var description: String {
        switch self {
        case .environment(let problem):
            problem.description
        case .alreadyActive:
            "the terminal is already in use by another screen of this process"
        case .startFailed(let terminalType):
            "could not start the terminal (TERM=\(terminalType)); try TERM=xterm-256color"
        case .inputClosed:
            "standard input was closed; the terminal has gone away"
        }
    }
}
