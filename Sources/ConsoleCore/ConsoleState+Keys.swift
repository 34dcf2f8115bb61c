import DeepstreamProtocol

extension ConsoleState {
    /// Dispatches a key through the keymap; unbound printable keys type text where text is accepted.
    mutating func handle(_ key: KeyPress) -> [ConsoleEffect] {
        if case .mouse(let row, let column, let action) = key { return mouse(row: row, column: column, action) }
        let contexts = activeContexts
        if let command = keymap.command(for: key, in: contexts) {
            return perform(command)
        }
        guard case .character(let character) = key else { return [] }
        guard contexts.contains(where: \.acceptsText) else {
            // Pane keys never turn into text: an unbound key in the idle composer only explains itself.
            if contexts.first == .composerPane {
                notify("Composer: Enter starts typing · h/l move between panes · ? help")
                return [.requestRedraw]
            }
            return []
        }
        type(character)
        return [.requestRedraw]
    }

    /// A click focuses the pane under it and selects the row; the wheel scrolls what is under the
    /// pointer (or the overlay), three rows a notch.
    private mutating func mouse(row: Int, column: Int, _ action: MouseAction) -> [ConsoleEffect] {
        let wheel: ConsoleCommand? = switch action {
        case .wheelUp: .moveUp
        case .wheelDown: .moveDown
        case .click: nil
        }
        if overlay != nil {
            if let wheel { for _ in 0..<3 { move(wheel) } }
            return [.requestRedraw]
        }
        guard let pane = [Pane.providers, .composer, .calls].first(where: { layout.frame(of: $0).contains(row: row, column: column) })
        else { return [] }
        if focus != pane { setFocus(pane, editing: pane == .composer) }
        let frame = layout.frame(of: pane)
        // The first inner row is the column header.
        let index = row - frame.y - 2
        switch (pane, wheel) {
        case (.composer, let wheel?):
            for _ in 0..<3 { edit(wheel == .moveUp ? .cursorUp : .cursorDown) }
        case (_, let wheel?):
            for _ in 0..<3 { move(wheel) }
        case (.providers, nil):
            let target = providers.scrollTop + index
            if index >= 0, target < providers.rowCount {
                providers.selection = target
                providers.scrollToSelection(height: layout.providerListHeight)
            }
        case (.calls, nil):
            let rows = visibleCallRows
            if index >= 0, index < rows.count {
                if let sorted = sortedCalls { sortedCalls?.select(sorted.top + index, height: calls.listHeight) } else {
                    calls.select(rows[index].sequence, matching: callMatcher)
                }
            }
        case (.composer, nil):
            isEditingComposer = true
        }
        return [.requestRedraw]
    }

    private mutating func type(_ character: Character) {
        if typeInRuleEditor(character) { return }
        if case .heldInput(let key, let kind, var editor) = overlay {
            editor.insert(character)
            overlay = .heldInput(key, kind, editor)
            return
        }
        if case .addProvider(var editor) = overlay {
            editor.insert(character)
            overlay = .addProvider(editor)
        } else if case .writeRecording(var editor) = overlay {
            editor.insert(character)
            overlay = .writeRecording(editor)
        } else if case .historySearch(var editor, _) = overlay {
            editor.insert(character)
            overlay = .historySearch(editor, selection: 0)
        } else if focus == .calls, var editor = calls.filterEditor {
            editor.insert(character)
            calls.filterEditor = editor
            applyFilter(CallFilter(editor.text))
        } else if focus == .composer {
            composer.insert(character)
        }
    }

    /// Inserts pasted text into the focused text field as typed characters, except that newlines are
    /// kept literally in the body (no auto-indent) and become spaces in one-line fields.
    mutating func paste(_ text: String) -> [ConsoleEffect] {
        // Terminals send pasted line ends as CR (tmux, xterm) or CR LF: all become "\n".
        var normalized = ""
        for scalar in text.unicodeScalars where scalar != "\n" || normalized.unicodeScalars.last != "\r" {
            normalized.unicodeScalars.append(scalar)
        }
        normalized = String(normalized.map { $0 == "\r" || $0 == "\r\n" ? "\n" : $0 })
        if focus == .composer && overlay == nil && !isEditingComposer {
            isEditingComposer = true
        }
        guard activeContexts.contains(where: \.acceptsText) else {
            notify("Paste ignored: no text field has focus (c goes to the composer)")
            return [.requestRedraw]
        }
        let oneLine = !(focus == .composer && overlay == nil && composer.field == .body)
        if oneLine {
            for character in normalized { type(character == "\n" || character == "\t" ? " " : character) }
        } else {
            composer.insertLiterally(normalized)
        }
        return [.requestRedraw]
    }

    /// Opens the add-provider prompt again with `text` and the reason it was rejected.
    mutating func reopenPrompt(_ text: String, error: String) {
        overlay = .addProvider(LineEditor(text))
        promptError = error
    }

    // MARK: Commands

    mutating func perform(_ command: ConsoleCommand) -> [ConsoleEffect] {
        if case .stats = overlay, calls.filterEditor == nil, let effects = performInStats(command) { return effects }
        if case .nodes = overlay, let effects = performInNodes(command) { return effects }
        if let effects = performInRules(command) { return effects }
        switch command {
        case .quit:
            // Closing an overlay never quits; with calls in the log (or requests pending), ask first.
            if overlay != nil {
                back()
            } else if pendingRequests.isEmpty && calls.log.isEmpty {
                isQuitting = true
                return [.quit]
            } else {
                overlay = .confirmQuit
            }
        case .quitNow:
            isQuitting = true
            return [.quit]
        case .back:
            back()
        case .toggleHelp:
            if case .help = overlay { overlay = nil } else { overlay = .help(scroll: 0) }
        case .focusNext:
            setFocus(focus.next)
        case .focusPrevious:
            setFocus(focus.previous)
        case .focusComposer:
            setFocus(.composer)
            isEditingComposer = true
            composer.field = .name
        case .paneLeft:
            setFocus(focus.previous, editing: false)
        case .paneRight:
            setFocus(focus.next, editing: false)
        case .startEditing:
            isEditingComposer = true
        case .stopEditing:
            isEditingComposer = false
        case .deleteProvider:
            requestDelete()
        case .showMessages:
            if messageLog.isEmpty { notify("No messages yet") } else { overlay = .messages(scroll: max(0, messageLog.count - layout.helpHeight)) }
        case .accept:
            return acceptDelete()
        case .killToEnd, .killToStart, .deleteWordBackward, .wordLeft, .wordRight:
            edit(command)
        case .clearField:
            composer.clearFocusedField()
        case .historySearch:
            if composer.history.isEmpty { notify("No requests in the history yet") } else {
                overlay = .historySearch(LineEditor(), selection: 0)
            }
        case .openResult:
            if case .finished = composer.lastSend { overlay = .result(scroll: 0) } else { notify("No result yet: Ctrl-S sends") }
        case .nextCall, .previousCall:
            showAdjacentCall(command == .nextCall ? 1 : -1)
        case .showProviderDetail:
            guard providers.rows.indices.contains(providers.selection) else { break }
            switch providers.rows[providers.selection] {
            case .own(let index): overlay = .providerDetail(name: providers.own[index].name, peer: nil, scroll: 0)
            case .remote(let index):
                overlay = .providerDetail(name: providers.remote[index].name, peer: providers.remote[index].peer, scroll: 0)
            }
        case .openRules:
            openRules()
        case .openHeld:
            openHeldCall()
        case .releaseHeld, .editHeld, .answerHeld, .failHeld, .rejectHeld, .dropHeld:
            return resolveHeldCall(command)
        case .toggleRule, .addRule, .editRule, .deleteRule:
            break
        case .resendCall:
            return resendCall()
        case .editCall:
            editCall()
        case .copyCall(let format):
            guard case .detail(let key, _) = overlay, let record = calls.log[key] else { break }
            if let refusal = format.refusal(for: record) {
                notify("Cannot copy \(record.name) \(format.title): \(refusal)", isError: true)
                return [.requestRedraw]
            }
            notify("Copied the call \(format.title) (clipboard via OSC 52; also in the copy file)")
            return [.copy(format.text(for: record, route: route(of: record))), .requestRedraw]
        case .jumpToRequest, .jumpToResponse:
            jumpInDetail(to: command == .jumpToRequest ? ["Request"] : ["Response", "Error"])
        case .redraw:
            return [.repaint]
        case .repeatLast:
            return repeatLast()
        case .moveDown, .moveUp, .pageDown, .pageUp, .first, .last:
            move(command)
        case .togglePause:
            calls.togglePause(matching: callMatcher)
        case .toggleStats:
            openStats()
        case .toggleNodes:
            openNodes()
        case .sortNextColumn, .sortPreviousColumn, .reverseSort, .toggleExpanded, .resetStatistics, .exportStatistics:
            break
        case .startFilter:
            setFocus(.calls)
            calls.filterEditor = LineEditor(calls.filter.text)
            filterBeforeEditing = calls.filter
        case .cycleSort:
            switch sortedCalls?.order {
            case nil: sortedCalls = SortedCalls(order: .name, log: calls.log, matching: callMatcher)
            case .name?: sortedCalls = SortedCalls(order: .latency, log: calls.log, matching: callMatcher)
            case .latency?: sortedCalls = nil
            }
            notify(sortedCalls.map { "Calls sorted by \($0.order.rawValue) (a snapshot; s again or G for live time order)" } ?? "Calls in time order (live)")
        case .openDetail:
            if let record = selectedCall {
                overlay = .detail(record.key, scroll: 0)
                isDetailExpanded = false
            }
        case .toggleFolding:
            isDetailExpanded.toggle()
            if case .detail(let key, _) = overlay { overlay = .detail(key, scroll: 0) }
        case .toggleProvide:
            return toggleProvide()
        case .addProvider:
            overlay = .addProvider(LineEditor())
        case .writeRecording:
            openWriteRecordingPrompt()
        case .markCall:
            toggleMark()
        case .diffCall:
            openDiff()
        case .composeForSelected:
            composeForSelected()
        case .confirm:
            return confirm()
        case .complete:
            if !composer.completeName(from: knownRPCNames) { setFocus(focus.next) }
        case .send:
            return send()
        case .historyOlder:
            _ = composer.recallOlder()
        case .historyNewer:
            _ = composer.recallNewer()
        case .newline:
            composer.insertNewline()
        case .deleteBackward, .deleteForward, .cursorLeft, .cursorRight, .cursorUp, .cursorDown, .cursorHome,
            .cursorEnd, .cursorPageUp, .cursorPageDown:
            edit(command)
        }
        return [.requestRedraw]
    }

    /// Focuses `pane`. Arriving at the composer with Tab starts editing; with `h`/`l` (`editing`
    /// false) keys keep navigating until Enter or `i`.
    mutating func setFocus(_ pane: Pane, editing: Bool = true) {
        // Moving to a pane from the detail view closes it (the panes are hidden behind it).
        if case .detail = overlay { overlay = nil }
        calls.filterEditor = nil
        if pane == .composer && focus != .composer { isEditingComposer = editing }
        focus = pane
    }

    private mutating func back() {
        if case .heldInput(let key, _, _) = overlay {
            overlay = .detail(key, scroll: 0)
            promptError = nil
            return
        }
        switch overlay {
        case .stats where calls.filterEditor == nil, .nodes, .help, .detail, .confirmQuit, .addProvider, .writeRecording, .confirmDelete, .messages, .result, .historySearch, .providerDetail, .rules, .heldInput, .diff:
            overlay = nil
            promptError = nil
            return
        case .stats, nil: break
        }
        if focus == .calls, calls.filterEditor != nil {
            calls.filterEditor = nil
            applyFilter(filterBeforeEditing ?? CallFilter(""))
        } else if notice != nil {
            notice = nil
        } else if focus == .calls, !calls.filter.isEmpty {
            applyFilter(CallFilter(""))
        }
    }

    private mutating func showAdjacentCall(_ delta: Int) {
        guard case .detail(let key, _) = overlay else { return }
        let before = selectedCallSequence
        if sortedCalls != nil { sortedCalls?.move(by: delta, height: calls.listHeight) } else { calls.moveSelection(by: delta, matching: callMatcher) }
        guard let record = selectedCall, selectedCallSequence != before || record.key != key else {
            notify(delta > 0 ? "This is the newest call" : "This is the oldest call")
            return
        }
        overlay = .detail(record.key, scroll: 0)
    }

    private mutating func jumpInDetail(to titles: [String]) {
        guard case .detail(let key, _) = overlay, let lines = detailLines else { return }
        guard let index = lines.firstIndex(where: { titles.contains($0.description) }) else { return }
        overlay = .detail(key, scroll: min(index, max(0, lines.count - layout.detailHeight)))
    }

    private mutating func confirm() -> [ConsoleEffect] {
        if case .heldInput = overlay { return confirmHeldInput() }
        if case .writeRecording(let editor) = overlay { return writeRecording(to: editor.text) }
        if case .historySearch(_, let selection) = overlay {
            let matches = historyMatches
            overlay = nil
            guard matches.indices.contains(selection) else { return [.requestRedraw] }
            composer.load(matches[selection])
            composer.field = .body
            setFocus(.composer)
            isEditingComposer = true
            return [.requestRedraw]
        }
        if case .addProvider(let editor) = overlay {
            overlay = nil
            promptError = nil
            let text = editor.text.trimmingSpaces()
            guard !text.isEmpty else { return [.requestRedraw] }
            if text.hasPrefix("@") {
                // `@FILE`: every RPC name of a recording becomes a provider answering from it.
                let path = String(text.dropFirst()).trimmingSpaces()
                guard !path.isEmpty else {
                    reopenPrompt(editor.text, error: "@ needs a recording file, e.g. @calls.jsonl")
                    return [.requestRedraw]
                }
                return [.loadRecordedProviders(path: path), .requestRedraw]
            }
            let parts = text.split(separator: " ", maxSplits: 1)
            let name = String(parts[0])
            let behaviour = parts.count > 1 ? String(parts[1]).trimmingSpaces() : "echo"
            if providers.ownIndex(of: name) != nil {
                notify("Provider \(name) already exists", isError: true)
                reopenPrompt(editor.text, error: "\(name) already exists; choose another name")
                return [.requestRedraw]
            }
            return [.registerProvider(name: name, behaviour: behaviour), .requestRedraw]
        }
        if focus == .calls, calls.filterEditor != nil {
            calls.filterEditor = nil
            filterBeforeEditing = nil
        } else if focus == .composer {
            composer.field = composer.field == .name ? .body : .name
        }
        return [.requestRedraw]
    }

    private mutating func applyFilter(_ filter: CallFilter) {
        calls.setFilter(filter, matching: matcher(for: filter))
        if let order = sortedCalls?.order { sortedCalls = SortedCalls(order: order, log: calls.log, matching: matcher(for: filter)) }
    }

    private mutating func move(_ command: ConsoleCommand) {
        switch overlay {
        case .help(let scroll):
            overlay = .help(scroll: scrolled(scroll, command, total: helpLines.count, height: layout.helpHeight))
            return
        case .detail(let key, let scroll):
            let total = detailLines?.count ?? 0
            overlay = .detail(key, scroll: scrolled(scroll, command, total: total, height: layout.detailHeight))
            return
        case .messages(let scroll):
            let total = messageLines(width: layout.help.width - 2).count
            overlay = .messages(scroll: scrolled(scroll, command, total: total, height: layout.helpHeight))
            return
        case .result(let scroll):
            overlay = .result(scroll: scrolled(scroll, command, total: resultLines.count, height: layout.helpHeight))
            return
        case .providerDetail(let name, let peer, let scroll):
            let total = providerDetailLines.count
            overlay = .providerDetail(name: name, peer: peer, scroll: scrolled(scroll, command, total: total, height: layout.helpHeight))
            return
        case .diff(let old, let new, let scroll):
            overlay = .diff(old: old, new: new, scroll: scrolled(scroll, command, total: diffLines.count, height: layout.helpHeight))
            return
        case .historySearch(let editor, let selection):
            // Matches are listed newest first: "up" goes to older entries, further down the list.
            let count = historyMatches.count
            let next = command == .moveUp ? selection + 1 : (command == .moveDown ? selection - 1 : selection)
            overlay = .historySearch(editor, selection: max(0, min(max(0, count - 1), next)))
            return
        case .confirmQuit, .addProvider, .writeRecording, .confirmDelete, .stats, .nodes, .rules, .heldInput: return
        case nil: break
        }
        switch focus {
        case .providers:
            let height = layout.providerListHeight
            switch command {
            case .moveDown: providers.moveSelection(by: 1, height: height)
            case .moveUp: providers.moveSelection(by: -1, height: height)
            case .pageDown: providers.moveSelection(by: height, height: height)
            case .pageUp: providers.moveSelection(by: -height, height: height)
            case .first: providers.selectEdge(toEnd: false, height: height)
            case .last: providers.selectEdge(toEnd: true, height: height)
            default: break
            }
        case .calls where sortedCalls != nil:
            let height = calls.listHeight
            switch command {
            case .moveDown: sortedCalls?.move(by: 1, height: height)
            case .moveUp: sortedCalls?.move(by: -1, height: height)
            case .pageDown: sortedCalls?.move(by: height, height: height)
            case .pageUp: sortedCalls?.move(by: -height, height: height)
            case .first: sortedCalls?.select(0, height: height)
            case .last:
                // G means "the newest, live": back to time order.
                sortedCalls = nil
                if calls.isPaused { calls.togglePause(matching: callMatcher) }
                calls.follow(matching: callMatcher)
            default: break
            }
        case .calls:
            let matches = callMatcher
            switch command {
            case .moveDown: calls.moveSelection(by: 1, matching: matches)
            case .moveUp: calls.moveSelection(by: -1, matching: matches)
            case .pageDown: calls.moveSelection(by: calls.listHeight, matching: matches)
            case .pageUp: calls.moveSelection(by: -calls.listHeight, matching: matches)
            case .first: calls.selectFirst(matching: matches)
            case .last:
                // G / End means "show me the newest": a paused view resumes too.
                if calls.isPaused { calls.togglePause(matching: matches) }
                calls.follow(matching: matches)
            default: break
            }
        case .composer: break
        }
    }

    private func scrolled(_ scroll: Int, _ command: ConsoleCommand, total: Int, height: Int) -> Int {
        let maximum = max(0, total - height)
        let target: Int
        switch command {
        case .moveDown: target = scroll + 1
        case .moveUp: target = scroll - 1
        case .pageDown: target = scroll + height
        case .pageUp: target = scroll - height
        case .first: target = 0
        case .last: target = maximum
        default: target = scroll
        }
        return max(0, min(maximum, target))
    }

    private mutating func edit(_ command: ConsoleCommand) {
        if case .rules = overlay, var editor = rules.editor {
            editLine(&editor, command)
            rules.editor = editor
            return
        }
        if case .heldInput(let key, let kind, var editor) = overlay {
            editLine(&editor, command)
            overlay = .heldInput(key, kind, editor)
            return
        }
        if case .addProvider(var editor) = overlay {
            editLine(&editor, command)
            overlay = .addProvider(editor)
        } else if case .writeRecording(var editor) = overlay {
            editLine(&editor, command)
            overlay = .writeRecording(editor)
        } else if case .historySearch(var editor, _) = overlay {
            editLine(&editor, command)
            overlay = .historySearch(editor, selection: 0)
        } else if focus == .calls, var editor = calls.filterEditor {
            editLine(&editor, command)
            calls.filterEditor = editor
            applyFilter(CallFilter(editor.text))
        } else if focus == .composer {
            switch command {
            case .deleteBackward: composer.deleteBackward()
            case .deleteForward: composer.deleteForward()
            case .cursorLeft: composer.moveCursor(.left)
            case .cursorRight: composer.moveCursor(.right)
            case .cursorUp: composer.moveCursor(.up)
            case .cursorDown: composer.moveCursor(.down)
            case .cursorHome: composer.moveCursor(.home)
            case .cursorEnd: composer.moveCursor(.end)
            case .cursorPageUp: composer.moveCursor(.pageUp, pageSize: layout.composerBodyHeight)
            case .cursorPageDown: composer.moveCursor(.pageDown, pageSize: layout.composerBodyHeight)
            case .killToEnd, .killToStart, .deleteWordBackward, .wordLeft, .wordRight: composer.readline(command)
            default: break
            }
        }
    }

    private func editLine(_ editor: inout LineEditor, _ command: ConsoleCommand) {
        switch command {
        case .deleteBackward: editor.deleteBackward()
        case .deleteForward: editor.deleteForward()
        case .cursorLeft: editor.moveLeft()
        case .cursorRight: editor.moveRight()
        case .cursorHome: editor.moveToStart()
        case .cursorEnd: editor.moveToEnd()
        case .killToEnd: editor.killToEnd()
        case .killToStart: editor.killToStart()
        case .deleteWordBackward: editor.deleteWordBackward()
        case .wordLeft: editor.moveWordLeft()
        case .wordRight: editor.moveWordRight()
        default: break
        }
    }

    // MARK: Providers

    private mutating func toggleProvide() -> [ConsoleEffect] {
        guard providers.rows.indices.contains(providers.selection) else { return [.requestRedraw] }
        guard case .own(let index) = providers.rows[providers.selection] else {
            if case .remote(let index) = providers.rows[providers.selection] { return switchRemoteProvider(at: index) }
            return [.requestRedraw]
        }
        let name = providers.own[index].name
        if providers.own[index].registration.isWanted {
            providers.own[index].registration = .unproviding
            return [.unprovide(name: name), .requestRedraw]
        }
        providers.own[index].registration = .providing
        return [.provide(name: name), .requestRedraw]
    }

    private mutating func requestDelete() {
        guard providers.rows.indices.contains(providers.selection),
            case .own(let index) = providers.rows[providers.selection]
        else {
            if providers.rowCount > 0 { notify("Other clients' providers cannot be deleted from here") }
            return
        }
        overlay = .confirmDelete(providers.own[index].name)
    }

    private mutating func acceptDelete() -> [ConsoleEffect] {
        guard case .confirmDelete(let name) = overlay else { return [.requestRedraw] }
        overlay = nil
        guard let index = providers.ownIndex(of: name) else { return [.requestRedraw] }
        providers.removeOwn(at: index, height: layout.providerListHeight)
        notify("Deleted provider \(name)")
        return [.removeProvider(name: name), .requestRedraw]
    }

    private mutating func composeForSelected() {
        guard providers.rows.indices.contains(providers.selection) else { return }
        let name = switch providers.rows[providers.selection] {
        case .own(let index): providers.own[index].name
        case .remote(let index): providers.remote[index].name
        }
        composer.load(ComposerHistoryEntry(name: name, body: composer.body.text))
        composer.field = .body
        setFocus(.composer)
        isEditingComposer = true
    }

    // MARK: Sending

    private mutating func send() -> [ConsoleEffect] {
        let name = composer.name.text.trimmingSpaces()
        guard !name.isEmpty else {
            notify("Type an RPC name first", isError: true)
            return [.requestRedraw]
        }
        let data: JSONValue?
        switch composer.validation {
        case .empty: data = nil
        case .valid(let value): data = value
        case .invalid(let error, _):
            notify("Not sent: invalid JSON (line \(error.line), column \(error.column))", isError: true)
            return [.requestRedraw]
        }
        let entry = ComposerHistoryEntry(name: name, body: composer.body.text)
        composer.remember(entry)
        return [startMake(name: name, data: data, request: ComposerHistoryEntry(name: composer.name.text, body: entry.body)), .saveHistory(composer.history), .requestRedraw]
    }

    private mutating func repeatLast() -> [ConsoleEffect] {
        guard let last = composer.history.last else {
            notify("Nothing to repeat yet", isError: true)
            return [.requestRedraw]
        }
        let editor = TextEditor(last.body)
        switch JSONValidation(validating: editor) {
        case .empty: return [startMake(name: last.name, data: nil, request: last), .requestRedraw]
        case .valid(let value): return [startMake(name: last.name, data: value, request: last), .requestRedraw]
        case .invalid(let error, _):
            notify("Not sent: the last request's JSON is invalid (line \(error.line), column \(error.column))", isError: true)
            return [.requestRedraw]
        }
    }

    mutating func startMake(name: String, data: JSONValue?, request: ComposerHistoryEntry) -> ConsoleEffect {
        let id = nextRequestID
        nextRequestID = RequestID(id.rawValue + 1)
        pendingRequests[id] = name
        composer.lastSend = .pending(id, name: name)
        composer.lastSentRequest = request
        return .make(name: name, data: data, requestID: id)
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        var text = Substring(self)
        while text.first?.isWhitespace == true { text = text.dropFirst() }
        while text.last?.isWhitespace == true { text = text.dropLast() }
        return String(text)
    }
}
