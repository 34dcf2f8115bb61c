import DeepstreamProtocol

/// What covers the panes, if anything.
package enum ConsoleOverlay: Hashable, Sendable {
    /// The help, scrolled by `scroll` lines.
    case help(scroll: Int)
    /// The Stats view (its own state is ``ConsoleState/statsView``).
    case stats
    /// The Nodes view of a cluster console (its own state is ``ConsoleState/nodesView``).
    case nodes
    /// The detail view of a call, scrolled by `scroll` lines.
    case detail(CallKey, scroll: Int)
    /// "Calls are in flight. Quit? (y/n)".
    case confirmQuit
    /// The add-provider prompt (`name behaviour`).
    case addProvider(LineEditor)
    /// The write-recording prompt (a file name).
    case writeRecording(LineEditor)
    /// "Delete provider NAME? (y/n)".
    case confirmDelete(String)
    /// The message log (recent notices, newest last), scrolled by `scroll` lines.
    case messages(scroll: Int)
    /// A provider's details: own (`peer` nil) or another client's, scrolled by `scroll` lines.
    case providerDetail(name: String, peer: PeerID?, scroll: Int)
    /// The composer's last result in full, scrolled by `scroll` lines.
    case result(scroll: Int)
    /// `d`: the response of call `new` diffed against call `old`'s, scrolled by `scroll` lines.
    case diff(old: CallKey, new: CallKey, scroll: Int)
    /// Ctrl-R: fuzzy search through the composer history; `selection` indexes the matches.
    case historySearch(LineEditor, selection: Int)
    /// The steering rules (`R`); its list and editor are ``ConsoleState/rules``.
    case rules
    /// The JSON editor for a held call: edited request data, a RESPONSE or a REQUEST_ERROR.
    case heldInput(CallKey, HeldInputKind, LineEditor)
}
