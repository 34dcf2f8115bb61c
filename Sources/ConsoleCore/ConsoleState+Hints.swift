extension ConsoleState {
    /// One line of the most useful keys where the keys go now, e.g.
    /// `Calls: Enter detail · / filter · p pause · ? help`. Drawn in the focused pane's bottom border.
    package var keyHint: String {
        switch overlay {
        case .detail where isDetailHeld: return "Held: a release · E edit · O answer · F error · X reject · D drop · q close"
        case .heldInput: return "JSON · Enter sends · Esc back"
        case .detail: return "Detail: j/k scroll · n/N next/prev · 2 request · 3 response · z fold · y copy · q close"
        case .help, .messages, .result, .providerDetail, .diff: return "j/k scroll · Esc closes"
        case .historySearch: return "History: type to search · ↑/↓ choose · Enter loads · Esc cancels"
        case .rules: return rules.editor != nil ? "Rule: JSON · Enter saves · Esc cancels" : "Rules: Space on/off · a add · e edit · d delete · Esc close"
        case .addProvider: return "Add provider: name behaviour, or @recording.jsonl · Enter adds · Esc cancels"
        case .writeRecording: return "Write recording: file name · Enter writes · Esc cancels"
        case .confirmQuit, .confirmDelete: return "y / n"
        case .nodes: return "Nodes: j/k select · g/G first/last · ? help · Esc close"
        case .stats:
            if calls.filterEditor != nil { return "Filter: name: text ~regex !negate · Enter keeps · Esc cancels" }
            return "Stats: j/k select · ←/→ sort · o reverse · Enter providers · / filter · x export · X reset · Esc close"
        case nil: break
        }
        switch focus {
        case .providers:
            return "Providers: Space on/off · a add · d delete · i details · Enter compose · ? help"
        case .calls:
            if calls.filterEditor != nil { return "Filter: name: state: text · Enter keeps · Esc cancels" }
            return "Calls: Enter detail · / filter · p pause · s sort · S stats · ? help"
        case .composer:
            guard isEditingComposer else { return "Composer: Enter to type · h/l panes · ? help" }
            switch composer.field {
            case .name: return "Name: Tab completes · Enter body · Ctrl-S send · Ctrl-R history · Esc stop typing"
            case .body: return "Body: Ctrl-S send · Ctrl-X clear · Ctrl-O result · Shift-Tab name · Esc stop typing"
            }
        }
    }

    /// The message log as lines wrapped to `width`, oldest first (errors in the error colour).
    package func messageLines(width: Int) -> [StyledLine] {
        messageLog.flatMap { notice in
            DisplayFormat.wrap(notice.text, width: max(1, width - 2)).enumerated().map { offset, line in
                StyledLine((offset == 0 ? "• " : "  ") + line, notice.isError ? .stateError : .text)
            }
        }
    }
}

extension ConsoleState {
    /// The history entries matching the Ctrl-R query, newest first: every character of the query
    /// appears in order (case-insensitive) in `name body`.
    package var historyMatches: [ComposerHistoryEntry] {
        guard case .historySearch(let editor, _) = overlay else { return [] }
        let query = Array(editor.text.lowercased().filter { $0 != " " })
        var seen = Set<ComposerHistoryEntry>()
        return composer.history.reversed().filter { entry in
            guard seen.insert(entry).inserted else { return false }
            var remaining = query[...]
            for character in (entry.name + " " + entry.body).lowercased() where character == remaining.first {
                remaining = remaining.dropFirst()
                if remaining.isEmpty { break }
            }
            return remaining.isEmpty
        }
    }

    /// The composer's last result in full: what was sent, then the answer as pretty JSON.
    package var resultLines: [StyledLine] {
        guard case .finished(let id, let name, _, let outcome) = composer.lastSend else { return [] }
        var lines = [StyledLine("\(id.description) = request number \(id.rawValue) of this session · \(name)", .title)]
        if composer.isResultStale { lines.append(StyledLine("The request has been edited since (this result is stale).", .statePending)) }
        if let sent = composer.lastSentRequest {
            lines.append(StyledLine())
            lines.append(StyledLine("Request", .title))
            lines += JSONHighlighter.lines(jsonText: sent.body.isEmpty ? nil : sent.body, indent: "  ")
        }
        lines.append(StyledLine())
        switch outcome {
        case .response(let data):
            lines.append(StyledLine("Response", .title))
            lines += data.map { JSONHighlighter.lines($0, indent: "  ") } ?? [StyledLine("  (no payload)", .dim)]
        case .requestError(let data):
            lines.append(StyledLine("REQUEST_ERROR", .stateError))
            lines += data.map { JSONHighlighter.lines($0, indent: "  ") } ?? [StyledLine("  (no payload)", .dim)]
        case .failed(let reason):
            lines.append(StyledLine("Failed", .stateError))
            lines += DisplayFormat.wrap(reason, width: 76).map { StyledLine("  " + $0, .stateError) }
        }
        return lines
    }
}

extension ConsoleState {
    /// The provider detail view: everything the pane's columns cut, and the provider's recent calls.
    package var providerDetailLines: [StyledLine] {
        guard case .providerDetail(let name, let peer, _) = overlay else { return [] }
        var lines = [StyledLine(name, .title)]
        if let peer {
            lines.append(StyledLine("Provided by another client: \(peerLabel(peer))"))
            if let remote = providers.remote.first(where: { $0.peer == peer && $0.name == name }) {
                lines.append(StyledLine("since \(DisplayFormat.timeOfDay(remote.since)) UTC", .dim))
                if remote.isSwitchedOff {
                    lines.append(StyledLine("Switched off: its requests are rejected on its behalf (Space switches it on)", .stateError))
                } else if configuration.canSteer || configuration.canSwitchProviders {
                    lines.append(StyledLine("Space switches it off (its requests are then rejected on its behalf)", .dim))
                }
            }
        } else if let provider = providers.ownIndex(of: name).map({ providers.own[$0] }) {
            let where_ = configuration.embeddedBroker ? "the embedded server" : "the remote server"
            let live = provider.registration == .provided ? "live on \(where_)" : "not provided on \(where_) (Space provides it)"
            let kind = provider.recording.map { "provider answering from the recording \($0)" } ?? "mock provider"
            lines.append(StyledLine("This console's \(kind) · \(provider.registration.label): \(live)"))
            lines.append(StyledLine())
            lines.append(StyledLine("Behaviour", .title))
            lines += DisplayFormat.wrap(provider.behaviour, width: 76).map { StyledLine("  " + $0) }
            lines.append(StyledLine())
            lines.append(StyledLine("Served \(DisplayFormat.count(provider.callCount, "call")) · last latency \(DisplayFormat.latency(provider.lastLatency))"))
        }
        lines.append(StyledLine())
        lines.append(StyledLine("Recent calls of \(name) in the log", .title))
        var found = 0
        var sequence = calls.log.lastSequence ?? -1
        // Bounded walk: the newest 5,000 calls are enough for a "recent calls" list.
        let stop = max(calls.log.firstSequence, sequence - 5_000)
        while sequence >= stop && found < 20 {
            if let record = calls.log[sequence: sequence], record.name == name {
                lines.append(StyledLine([
                    StyledSpan("  " + DisplayFormat.timeOfDay(record.startedAt) + "  ", .dim),
                    StyledSpan(DisplayFormat.fit(record.status.label, 15), record.status.role),
                    StyledSpan(DisplayFormat.fit(DisplayFormat.latency(record.totalLatency), 8, alignRight: true) + "  "),
                    StyledSpan(route(of: record), .dim),
                ]))
                found += 1
            }
            sequence -= 1
        }
        if found == 0 { lines.append(StyledLine("  none", .dim)) }
        return lines
    }
}
