/// What covers the panes, if anything.
public enum ConsoleOverlay: Hashable, Sendable {
    /// The help, scrolled by `scroll` lines.
    case help(scroll: Int)
    /// The Stats view (its own state is ``ConsoleState/statsView``).
    case stats
    /// The detail view of a call, scrolled by `scroll` lines.
    case detail(CallKey, scroll: Int)
    /// "Calls are in flight. Quit? (y/n)".
    case confirmQuit
    /// The add-provider prompt (`name behaviour`).
    case addProvider(LineEditor)
}
