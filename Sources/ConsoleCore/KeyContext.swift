/// Where a key binding applies. The reducer looks a key up in the active contexts, most specific
/// first (see ``ConsoleState/activeContexts``).
package enum KeyContext: String, CaseIterable, Hashable, Sendable {
    /// Everywhere (also while typing).
    case global
    /// Every pane and the detail view, but not while typing text.
    case panes
    /// The Providers pane.
    case providers
    /// The Calls pane.
    case calls
    /// The composer pane reached with `h`/`l`: keys navigate until Enter or `i` starts editing.
    case composerPane
    /// The composer (either field).
    case composer
    /// The composer's RPC name field.
    case composerName
    /// The composer's JSON body.
    case composerBody
    /// Typing a Calls filter after `/`.
    case filterInput
    /// The add-provider prompt.
    case prompt
    /// The call detail view.
    case detail
    /// The Stats view.
    case stats
    /// The Nodes view (cluster console).
    case nodes
    /// The help overlay.
    case help
    /// The quit confirmation.
    case confirmQuit
    /// The delete-provider confirmation.
    case confirmDelete
    /// The message log (recent notices) and the full result view.
    case messages
    /// The history search (Ctrl-R).
    case historySearch
    /// The Rules overlay's list.
    case rules
    /// Typing a rule as JSON in the Rules overlay.
    case ruleInput
    /// The detail of a call a `hold` rule keeps.
    case held
    /// Typing JSON for a held call.
    case heldInput

    /// The section title in the help screen.
    package var title: String {
        switch self {
        case .global: "Everywhere"
        case .panes: "Panes (not while typing)"
        case .providers: "Providers pane"
        case .calls: "Calls pane"
        case .composerPane: "Composer (not editing)"
        case .composer: "Composer"
        case .composerName: "Composer: RPC name"
        case .composerBody: "Composer: JSON body"
        case .filterInput: "Filter input (after /)"
        case .prompt: "Add-provider prompt"
        case .detail: "Call detail"
        case .stats: "Stats view"
        case .nodes: "Nodes view (dsconsole cluster)"
        case .help: "Help"
        case .confirmQuit: "Quit confirmation"
        case .confirmDelete: "Delete-provider confirmation"
        case .messages: "Messages and result views"
        case .historySearch: "History search (Ctrl-R)"
        case .rules: "Rules overlay (R)"
        case .ruleInput: "Rules overlay: typing a rule"
        case .held: "Held call (its detail)"
        case .heldInput: "Held call: typing JSON"
        }
    }

    /// Whether unbound printable keys type text in this context.
    package var acceptsText: Bool {
        switch self {
        case .composer, .composerName, .composerBody, .filterInput, .prompt, .historySearch, .ruleInput, .heldInput: true
        default: false
        }
    }
}
