import DeepstreamProtocol

extension ConsoleState {
    /// Dispatches a key through the keymap; unbound printable keys type text where text is accepted.
    mutating func handle(_ key: KeyPress) -> [ConsoleEffect] {
        let contexts = activeContexts
        if let command = keymap.command(for: key, in: contexts) {
            return perform(command)
        }
        guard contexts.contains(where: \.acceptsText), case .character(let character) = key else { return [] }
        type(character)
        return [.requestRedraw]
    }

    private mutating func type(_ character: Character) {
        if case .addProvider(var editor) = overlay {
            editor.insert(character)
            overlay = .addProvider(editor)
        } else if focus == .calls, var editor = calls.filterEditor {
            editor.insert(character)
            calls.filterEditor = editor
            applyFilter(CallFilter(editor.text))
        } else if focus == .composer {
            composer.insert(character)
        }
    }

    // MARK: Commands

    mutating func perform(_ command: ConsoleCommand) -> [ConsoleEffect] {
        if case .stats = overlay, calls.filterEditor == nil, let effects = performInStats(command) { return effects }
        switch command {
        case .quit:
            if pendingRequests.isEmpty {
                isQuitting = true
                return [.quit]
            }
            overlay = .confirmQuit
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
        case .sortNextColumn, .sortPreviousColumn, .reverseSort, .toggleExpanded, .resetStatistics, .exportStatistics:
            break
        case .startFilter:
            calls.filterEditor = LineEditor(calls.filter.text)
            filterBeforeEditing = calls.filter
        case .openDetail:
            if let record = calls.selectedRecord { overlay = .detail(record.key, scroll: 0) }
        case .toggleProvide:
            return toggleProvide()
        case .addProvider:
            overlay = .addProvider(LineEditor())
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

    private mutating func setFocus(_ pane: Pane) {
        // Moving to a pane from the detail view closes it (the panes are hidden behind it).
        if case .detail = overlay { overlay = nil }
        calls.filterEditor = nil
        focus = pane
    }

    private mutating func back() {
        switch overlay {
        case .stats where calls.filterEditor == nil, .help, .detail, .confirmQuit, .addProvider:
            overlay = nil
            return
        case .stats, nil: break
        }
        if focus == .calls, calls.filterEditor != nil {
            calls.filterEditor = nil
            applyFilter(filterBeforeEditing ?? CallFilter(""))
        } else if focus == .composer, composer.field == .body {
            composer.field = .name
        } else if notice != nil {
            notice = nil
        } else if focus == .calls, !calls.filter.isEmpty {
            applyFilter(CallFilter(""))
        }
    }

    private mutating func confirm() -> [ConsoleEffect] {
        if case .addProvider(let editor) = overlay {
            overlay = nil
            let text = editor.text.trimmingSpaces()
            guard !text.isEmpty else { return [.requestRedraw] }
            let parts = text.split(separator: " ", maxSplits: 1)
            let name = String(parts[0])
            let behaviour = parts.count > 1 ? String(parts[1]).trimmingSpaces() : "echo"
            if providers.ownIndex(of: name) != nil {
                notify("Provider \(name) already exists", isError: true)
                return [.requestRedraw]
            }
            return [.registerProvider(name: name, behaviour: behaviour), .requestRedraw]
        }
        if focus == .calls, calls.filterEditor != nil {
            calls.filterEditor = nil
            filterBeforeEditing = nil
        } else if focus == .composer {
            composer.field = .body
        }
        return [.requestRedraw]
    }

    private mutating func applyFilter(_ filter: CallFilter) {
        calls.setFilter(filter, matching: matcher(for: filter))
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
        case .confirmQuit, .addProvider, .stats: return
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
        case .calls:
            let matches = callMatcher
            switch command {
            case .moveDown: calls.moveSelection(by: 1, matching: matches)
            case .moveUp: calls.moveSelection(by: -1, matching: matches)
            case .pageDown: calls.moveSelection(by: calls.listHeight, matching: matches)
            case .pageUp: calls.moveSelection(by: -calls.listHeight, matching: matches)
            case .first: calls.selectFirst(matching: matches)
            case .last: calls.follow(matching: matches)
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
        if case .addProvider(var editor) = overlay {
            editLine(&editor, command)
            overlay = .addProvider(editor)
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
        default: break
        }
    }

    // MARK: Providers

    private mutating func toggleProvide() -> [ConsoleEffect] {
        guard providers.rows.indices.contains(providers.selection),
            case .own(let index) = providers.rows[providers.selection]
        else {
            if providers.rowCount > 0 { notify("Other clients' providers are read-only") }
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

    private mutating func composeForSelected() {
        guard providers.rows.indices.contains(providers.selection) else { return }
        let name = switch providers.rows[providers.selection] {
        case .own(let index): providers.own[index].name
        case .remote(let index): providers.remote[index].name
        }
        composer.load(ComposerHistoryEntry(name: name, body: composer.body.text))
        composer.field = .body
        setFocus(.composer)
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
        composer.remember(ComposerHistoryEntry(name: name, body: composer.body.text))
        return [startMake(name: name, data: data), .saveHistory(composer.history), .requestRedraw]
    }

    private mutating func repeatLast() -> [ConsoleEffect] {
        guard let last = composer.history.last else {
            notify("Nothing to repeat yet", isError: true)
            return [.requestRedraw]
        }
        let editor = TextEditor(last.body)
        switch JSONValidation(validating: editor) {
        case .empty: return [startMake(name: last.name, data: nil), .requestRedraw]
        case .valid(let value): return [startMake(name: last.name, data: value), .requestRedraw]
        case .invalid(let error, _):
            notify("Not sent: the last request's JSON is invalid (line \(error.line), column \(error.column))", isError: true)
            return [.requestRedraw]
        }
    }

    private mutating func startMake(name: String, data: JSONValue?) -> ConsoleEffect {
        let id = nextRequestID
        nextRequestID = RequestID(id.rawValue + 1)
        pendingRequests[id] = name
        composer.lastSend = .pending(id, name: name)
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
