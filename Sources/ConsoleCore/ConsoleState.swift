import CallStatistics
import DeepstreamProtocol

/// The whole console as one value. Change it only through ``reduce(_:_:)``.
package struct ConsoleState: Sendable {
    /// The start settings.
    package let configuration: ConsoleConfiguration
    /// The key bindings.
    package let keymap: Keymap
    /// The terminal size and the pane layout for it.
    package private(set) var layout: ConsoleLayout
    /// The focused pane.
    package internal(set) var focus: Pane = .calls
    /// What covers the panes.
    package internal(set) var overlay: ConsoleOverlay?
    /// The engine's connection state.
    package internal(set) var connection: ConnectionState = .closed
    /// The Providers pane.
    package internal(set) var providers = ProvidersPaneState()
    /// Connections on the embedded broker, by id.
    package internal(set) var peers: [PeerID: PeerInfo] = [:]
    /// The Calls pane (and the call log).
    package internal(set) var calls: CallsPaneState
    /// The Composer pane.
    package internal(set) var composer: ComposerState
    /// Status-line numbers.
    package internal(set) var stats: ConsoleStats
    /// Messages per second per topic (proxy mode: shown once the first counts arrive).
    package internal(set) var topicRates = TopicRates()
    /// Whether the status line shows ``topicRates`` (proxy mode).
    package internal(set) var showsTopicRates = false
    /// Per-RPC statistics of every call that ended (the Stats view); they outlive the call log.
    package internal(set) var statistics = RPCStatistics()
    /// The Stats view's sort, selection and expanded rows.
    package internal(set) var statsView = StatsViewState()
    /// The Nodes view's data and state (`dsconsole cluster`; empty otherwise).
    package internal(set) var nodesView = NodesViewState()
    /// The Rules overlay: the embedded broker's steering rules, hit counts and the rule editor.
    package internal(set) var rules = RulesState()
    /// Calls a `hold` rule keeps in the console, oldest first (the status line's badge).
    package internal(set) var heldCalls: [CallKey] = []
    /// The status-line notice, if any.
    package internal(set) var notice: Notice?
    /// Recent notices, oldest first, at most ``messageLogLimit`` (the message log, `M`).
    package internal(set) var messageLog: [Notice] = []
    /// The most notices the message log keeps.
    package static let messageLogLimit = 100
    /// The call `m` marked for `d` to diff against, if any.
    package internal(set) var markedCall: CallKey?
    /// The Calls pane sorted by name or latency (`s`); nil: time order, the live log.
    package internal(set) var sortedCalls: SortedCalls?
    /// Whether the detail view shows long payloads in full (`z`); reset when a detail opens.
    package internal(set) var isDetailExpanded = false
    /// Whether keys type into the composer (true) or navigate panes (false) while it has focus.
    package internal(set) var isEditingComposer = false
    /// Why the add-provider prompt's last input was rejected (shown in the prompt, which keeps the text).
    package internal(set) var promptError: String?
    /// The latest tick time.
    package internal(set) var now: Timestamp?
    /// `make`s sent and not finished, with their RPC names.
    package internal(set) var pendingRequests: [RequestID: String] = [:]
    /// The id the next `make` gets.
    package internal(set) var nextRequestID = RequestID(1)
    /// The filter to restore when typing a new one is cancelled.
    var filterBeforeEditing: CallFilter?
    /// Start times of served calls in flight, by correlation id (embedded broker only; bounded).
    var servedStarts: [String: Timestamp] = [:]
    /// Whether a ``ConsoleEffect/quit`` was returned.
    package internal(set) var isQuitting = false

    /// Creates the console's initial state for a terminal of `columns` × `rows`.
    package init(configuration: ConsoleConfiguration, columns: Int = 100, rows: Int = 30, keymap: Keymap = .standard) {
        self.configuration = configuration
        self.keymap = keymap
        layout = ConsoleLayout(columns: columns, rows: rows)
        calls = CallsPaneState(capacity: configuration.callLogCapacity, payloadBudget: configuration.payloadBudget)
        composer = ComposerState(historyLimit: configuration.historyLimit)
        stats = ConsoleStats(rateWindowSeconds: configuration.rateWindowSeconds)
        applyLayout()
    }

    /// Applies a new terminal size.
    mutating func resize(columns: Int, rows: Int) {
        layout = ConsoleLayout(columns: columns, rows: rows)
        applyLayout()
    }

    private mutating func applyLayout() {
        calls.listHeight = layout.callListHeight
        let matches = callMatcher
        calls.scrollToSelection(matching: matches)
        providers.scrollToSelection(height: layout.providerListHeight)
    }

    // MARK: Derived values for views

    /// The key contexts active now, most specific first.
    package var activeContexts: [KeyContext] {
        switch overlay {
        case .confirmQuit: return [.confirmQuit]
        case .confirmDelete: return [.confirmDelete]
        case .addProvider, .writeRecording: return [.prompt, .global]
        case .help: return [.help, .global]
        case .stats: return calls.filterEditor != nil ? [.filterInput, .global] : [.stats, .global]
        case .nodes: return [.nodes, .global]
        case .messages, .result, .providerDetail, .diff: return [.messages, .global]
        case .historySearch: return [.historySearch, .global]
        case .rules: return rules.editor != nil ? [.ruleInput, .global] : [.rules, .global]
        case .heldInput: return [.heldInput, .global]
        case .detail where isDetailHeld: return [.held, .detail, .panes, .global]
        case .detail: return [.detail, .panes, .global]
        case nil: break
        }
        switch focus {
        case .providers: return [.providers, .panes, .global]
        case .calls: return calls.filterEditor != nil ? [.filterInput, .global] : [.calls, .panes, .global]
        case .composer:
            guard isEditingComposer else { return [.composerPane, .panes, .global] }
            return [composer.field == .name ? .composerName : .composerBody, .composer, .global]
        }
    }

    /// The requestor → provider text of a call row: `me → #5 bob`, `alice → me`, `#3 → #5 bob`.
    package func route(of record: CallRecord) -> String { Self.route(of: record, peers: peers) }

    /// `#3 alice` for a known peer, `#3` otherwise.
    package func peerLabel(_ peer: PeerID) -> String { peers[peer]?.label ?? peer.description }

    /// The Calls filter as a predicate over records.
    package var callMatcher: (CallRecord) -> Bool { matcher(for: calls.filter) }

    /// `filter` as a predicate over records (route text uses the current peer names).
    /// Not `@Sendable`: it holds the filter's compiled regular expressions (`Regex` is not Sendable),
    /// and it is only used on the task that owns the state.
    package func matcher(for filter: CallFilter) -> (CallRecord) -> Bool {
        if filter.isEmpty { return { _ in true } }
        let peers = self.peers
        let predicate = filter.predicate()
        return { record in
            predicate(record) { ConsoleState.route(of: record, peers: peers) }
        }
    }

    private static func route(of record: CallRecord, peers: [PeerID: PeerInfo]) -> String {
        func label(_ peer: PeerID) -> String { peers[peer]?.label ?? peer.description }
        let provider = record.provider.map(label) ?? "?"
        switch record.origin {
        case .outgoing: return "me → \(provider)"
        case .served: return "\(record.requestorName ?? "a client") → me"
        case .broker: return "\(record.requestor.map(label) ?? "?") → \(provider)"
        }
    }

    /// The rows the Calls pane shows now.
    package var visibleCallRows: [CallRecord] {
        guard let sortedCalls else { return calls.visibleRows(matching: callMatcher) }
        return sortedCalls.visible(height: calls.listHeight).compactMap { calls.log[sequence: $0] }
    }

    /// The selected call's sequence number (in the sorted view when sorted).
    package var selectedCallSequence: Int? { sortedCalls.map(\.selectedSequence) ?? calls.selected }

    /// The selected call (in the sorted view when sorted).
    package var selectedCall: CallRecord? { selectedCallSequence.flatMap { calls.log[sequence: $0] } }

    /// Every RPC name the composer can complete: own and remote providers plus names seen in calls
    /// and history.
    package var knownRPCNames: [String] {
        var names = providers.knownNames + composer.history.map(\.name)
        if let last = calls.log.lastSequence {
            // Recent call names, bounded so completion stays cheap on a full log.
            var sequence = last
            while sequence >= max(calls.log.firstSequence, last - 500) {
                if let record = calls.log[sequence: sequence] { names.append(record.name) }
                sequence -= 1
            }
        }
        return Array(Set(names)).sorted()
    }

    /// The detail view's lines for the call it shows (nil when no detail is open).
    package var detailLines: [StyledLine]? {
        guard case .detail(let key, _) = overlay else { return nil }
        guard let record = calls.log[key] else {
            return [StyledLine("The call \(key.call) is no longer in the log (evicted).", .dim)]
        }
        let lines = CallDetailContent.lines(for: record, route: route(of: record), peerLabel: peerLabel, expanded: isDetailExpanded)
        guard heldCalls.contains(key) else { return lines }
        return [StyledLine("HELD in the console: a release · E edit and release · O answer · F error · X reject · D drop", .stateError)] + lines
    }

    /// The help overlay's lines, generated from the keymap.
    package var helpLines: [StyledLine] { HelpContent.lines(for: keymap) }
}
