/// The table of every key binding. The reducer dispatches keys through it and the help overlay and
/// docs/console.md are generated from it.
package struct Keymap: Hashable, Sendable {
    /// The bindings, in help order.
    package let bindings: [KeyBinding]
    private let lookup: [KeyContext: [KeyPress: ConsoleCommand]]

    /// Creates a keymap; for a key bound twice in one context, the first binding wins.
    package init(_ bindings: [KeyBinding]) {
        self.bindings = bindings
        var lookup: [KeyContext: [KeyPress: ConsoleCommand]] = [:]
        for binding in bindings {
            for key in binding.keys where lookup[binding.context, default: [:]][key] == nil {
                lookup[binding.context, default: [:]][key] = binding.command
            }
        }
        self.lookup = lookup
    }

    /// The command bound to `key` in the first of `contexts` that binds it.
    package func command(for key: KeyPress, in contexts: [KeyContext]) -> ConsoleCommand? {
        for context in contexts {
            if let command = lookup[context]?[key] { return command }
        }
        return nil
    }

    /// The bindings of one context, in table order.
    package func bindings(in context: KeyContext) -> [KeyBinding] { bindings.filter { $0.context == context } }

    /// The help text: for every context with bindings, a title and `keys  description` lines.
    package func helpSections() -> [(title: String, entries: [(keys: String, description: String)])] {
        KeyContext.allCases.compactMap { context in
            let entries = bindings(in: context).map { binding in
                (keys: binding.keys.map(\.description).joined(separator: " "), description: binding.description)
            }
            return entries.isEmpty ? nil : (title: context.title, entries: entries)
        }
    }

    /// The keymap as Markdown tables (pasted into docs/console.md).
    package func markdown() -> String {
        var out = ""
        for section in helpSections() {
            out += "### \(section.title)\n\n| Keys | Action |\n|---|---|\n"
            for entry in section.entries {
                let keys = entry.keys.split(separator: " ").map { "`\($0 == "|" ? "\\|" : String($0))`" }.joined(separator: " ")
                out += "| \(keys) | \(entry.description) |\n"
            }
            out += "\n"
        }
        return out
    }

    /// The readline keys every text field shares.
    private static func readline(_ context: KeyContext) -> [KeyBinding] {
        [
            KeyBinding(context, [.backspace], .deleteBackward, "delete before the cursor"),
            KeyBinding(context, [.delete], .deleteForward, "delete at the cursor"),
            KeyBinding(context, [.left], .cursorLeft, "cursor left"),
            KeyBinding(context, [.right], .cursorRight, "cursor right"),
            KeyBinding(context, [.home, .ctrl("a")], .cursorHome, "line start"),
            KeyBinding(context, [.end, .ctrl("e")], .cursorEnd, "line end"),
            KeyBinding(context, [.alt("b")], .wordLeft, "previous word"),
            KeyBinding(context, [.alt("f")], .wordRight, "next word"),
            KeyBinding(context, [.ctrl("k")], .killToEnd, "delete to the line end"),
            KeyBinding(context, [.ctrl("u")], .killToStart, "delete to the line start"),
            KeyBinding(context, [.ctrl("w")], .deleteWordBackward, "delete the word before the cursor"),
        ]
    }

    /// The console's keymap.
    ///
    /// Kept free for later features: `m` in the Calls pane (mark) and `d` on a call (diff).
    package static let standard = Keymap([
        KeyBinding(.global, [.ctrl("c")], .quit, "quit (asks first when calls are in the log)"),
        KeyBinding(.global, [.tab], .focusNext, "next pane"),
        KeyBinding(.global, [.backTab], .focusPrevious, "previous pane"),
        KeyBinding(.global, [.ctrl("r")], .historySearch, "search the request history (Enter loads it into the composer)"),
        KeyBinding(.global, [.function(5)], .repeatLast, "send the last request again"),
        KeyBinding(.global, [.function(1)], .toggleHelp, "help"),
        KeyBinding(.global, [.ctrl("l")], .redraw, "repaint the screen"),
        KeyBinding(.global, [.escape], .back, "back out (close, cancel, clear message)"),

        KeyBinding(.panes, [.character("q")], .quit, "quit (asks first when calls are in the log)"),
        KeyBinding(.panes, [.character("?")], .toggleHelp, "help"),
        KeyBinding(.panes, [.character("h"), .left], .paneLeft, "pane to the left (never starts typing)"),
        KeyBinding(.panes, [.character("l"), .right], .paneRight, "pane to the right (never starts typing)"),
        KeyBinding(.panes, [.character("c")], .focusComposer, "go to the composer and type the RPC name"),
        KeyBinding(.panes, [.character("/")], .startFilter, "filter the calls (from any pane)"),
        KeyBinding(.panes, [.character("M")], .showMessages, "recent messages (notices in full)"),
        KeyBinding(.panes, [.character("S")], .toggleStats, "statistics per RPC (calls, errors, latency percentiles)"),
        KeyBinding(.panes, [.character("N")], .toggleNodes, "cluster nodes: state, last STATUS, leader, providers, warnings"),
        KeyBinding(.panes, [.character("R")], .openRules, "steering rules (embedded broker): hit counts, add, edit, on/off, delete"),
        KeyBinding(.panes, [.character("H")], .openHeld, "the oldest call a hold rule keeps (status line: ⏸ N held)"),
        KeyBinding(.panes, [.character("j"), .down], .moveDown, "down"),
        KeyBinding(.panes, [.character("k"), .up], .moveUp, "up"),
        KeyBinding(.panes, [.pageDown, .ctrl("f")], .pageDown, "page down"),
        KeyBinding(.panes, [.pageUp, .ctrl("b")], .pageUp, "page up"),
        KeyBinding(.panes, [.character("g"), .home], .first, "first row"),
        KeyBinding(.panes, [.character("G"), .end], .last, "last row (Calls: follow new calls, resume a paused view)"),

        KeyBinding(.providers, [.character(" ")], .toggleProvide, "provide / unprovide an own provider; switch another client's off / on (embedded broker)"),
        KeyBinding(.providers, [.character("a")], .addProvider, "add a provider (name and behaviour, or @FILE: a recording)"),
        KeyBinding(.providers, [.character("d")], .deleteProvider, "delete the selected own provider (asks first)"),
        KeyBinding(.providers, [.enter], .composeForSelected, "compose a call to the selected provider"),
        KeyBinding(.providers, [.character("i")], .showProviderDetail, "the provider's details (behaviour, calls)"),

        KeyBinding(.calls, [.character("p")], .togglePause, "pause / resume the view (calls keep being recorded)"),
        KeyBinding(.calls, [.enter], .openDetail, "open the call's detail"),
        KeyBinding(.calls, [.character("w")], .writeRecording, "write the ended calls (filtered, if a filter is on) to a recording"),
        KeyBinding(.calls, [.character("m")], .markCall, "mark the call (again: unmark) for d to diff against"),
        KeyBinding(.calls, [.character("d")], .diffCall, "diff the response with the marked call, or else the previous call of the same name"),
        KeyBinding(.calls, [.character("s")], .cycleSort, "sort: time (live) → name → latency (slowest first) → time"),
        KeyBinding(.calls, [.character("r")], .resendCall, "send the selected call again from the console (same name and data)"),
        KeyBinding(.calls, [.character("e")], .editCall, "copy the selected call's name and data into the composer to edit"),

        KeyBinding(.composerPane, [.enter], .startEditing, "start typing in the composer"),
        KeyBinding(.composerPane, [.ctrl("o")], .openResult, "show the last result in full"),

        KeyBinding(.composer, [.ctrl("s")], .send, "send (only valid JSON is sent)"),
        KeyBinding(.composer, [.ctrl("o")], .openResult, "show the last result in full"),
        KeyBinding(.composer, [.ctrl("p")], .historyOlder, "older history entry (without sending)"),
        KeyBinding(.composer, [.ctrl("n")], .historyNewer, "newer history entry"),
        KeyBinding(.composer, [.ctrl("x")], .clearField, "empty the field (name or whole body)"),
        KeyBinding(.composer, [.escape], .stopEditing, "stop typing: keys move between panes again"),
    ] + readline(.composer) + [
        KeyBinding(.composerName, [.tab], .complete, "complete the typed name (again: next match; then next pane)"),
        KeyBinding(.composerName, [.enter], .confirm, "go to the JSON body"),
        KeyBinding(.composerName, [.up], .historyOlder, "older history entry"),
        KeyBinding(.composerName, [.down], .historyNewer, "newer history entry"),

        KeyBinding(.composerBody, [.enter], .newline, "new line (keeps the indentation; pasted text is kept as is)"),
        KeyBinding(.composerBody, [.backTab], .confirm, "back to the name field"),
        KeyBinding(.composerBody, [.up], .cursorUp, "cursor up"),
        KeyBinding(.composerBody, [.down], .cursorDown, "cursor down"),
        KeyBinding(.composerBody, [.pageUp], .cursorPageUp, "cursor page up"),
        KeyBinding(.composerBody, [.pageDown], .cursorPageDown, "cursor page down"),

        KeyBinding(.filterInput, [.enter], .confirm, "keep the filter"),
        KeyBinding(.filterInput, [.escape], .back, "cancel (restore the previous filter)"),
    ] + readline(.filterInput) + [
        KeyBinding(.prompt, [.enter], .confirm, "add the provider (`name behaviour`, e.g. `greet echo`)"),
        KeyBinding(.prompt, [.escape], .back, "cancel"),
    ] + readline(.prompt) + [
        KeyBinding(.historySearch, [.enter], .confirm, "load the selected request into the composer"),
        KeyBinding(.historySearch, [.escape], .back, "cancel"),
        KeyBinding(.historySearch, [.up, .ctrl("r"), .ctrl("p")], .moveUp, "older match"),
        KeyBinding(.historySearch, [.down, .ctrl("n")], .moveDown, "newer match"),
    ] + readline(.historySearch) + [
        KeyBinding(.detail, [.escape, .enter, .character("q")], .back, "close the detail"),
        KeyBinding(.detail, [.character("n"), .character("]")], .nextCall, "next (newer) call"),
        KeyBinding(.detail, [.character("N"), .character("[")], .previousCall, "previous (older) call"),
        KeyBinding(.detail, [.character("1")], .first, "summary and timeline"),
        KeyBinding(.detail, [.character("2")], .jumpToRequest, "request"),
        KeyBinding(.detail, [.character("3")], .jumpToResponse, "response"),
        KeyBinding(.detail, [.character("r")], .resendCall, "send this call again from the console (same name and data)"),
        KeyBinding(.detail, [.character("e")], .editCall, "copy this call's name and data into the composer to edit"),
        KeyBinding(.detail, [.character("z")], .toggleFolding, "expand / fold long payloads (folded: first level only)"),
        KeyBinding(.detail, [.character("y")], .copyCall(.json), "copy the call as JSON (clipboard via OSC 52, and the copy file)"),
        KeyBinding(.detail, [.character("Y")], .copyCall(.commandLine), "copy it as a `dsconsole call` command line"),
        KeyBinding(.detail, [.character("S")], .copyCall(.javaScript), "copy it as a JS `client.rpc.make` snippet"),

        KeyBinding(.stats, [.escape, .character("S"), .character("q")], .toggleStats, "close the Stats view"),
        KeyBinding(.stats, [.character("j"), .down], .moveDown, "next RPC"),
        KeyBinding(.stats, [.character("k"), .up], .moveUp, "previous RPC"),
        KeyBinding(.stats, [.pageDown, .ctrl("f")], .pageDown, "page down"),
        KeyBinding(.stats, [.pageUp, .ctrl("b")], .pageUp, "page up"),
        KeyBinding(.stats, [.character("g"), .home], .first, "first RPC"),
        KeyBinding(.stats, [.character("G"), .end], .last, "last RPC"),
        KeyBinding(.stats, [.character("l"), .right, .character(">")], .sortNextColumn, "sort by the next column"),
        KeyBinding(.stats, [.character("h"), .left, .character("<")], .sortPreviousColumn, "sort by the previous column"),
        KeyBinding(.stats, [.character("o")], .reverseSort, "reverse the sort order"),
        KeyBinding(.stats, [.enter, .character(" ")], .toggleExpanded, "show / hide the RPC's rows per provider"),
        KeyBinding(.stats, [.character("/")], .startFilter, "filter RPC names (same filter as the Calls pane)"),
        KeyBinding(.stats, [.character("x")], .exportStatistics, "export the statistics as JSON (dsconsole-stats-….json)"),
        KeyBinding(.stats, [.character("X")], .resetStatistics, "reset: forget every statistic"),
        KeyBinding(.stats, [.character("?"), .function(1)], .toggleHelp, "help"),

        KeyBinding(.nodes, [.escape, .character("N"), .character("q")], .toggleNodes, "close the Nodes view"),
        KeyBinding(.nodes, [.character("j"), .down], .moveDown, "next node"),
        KeyBinding(.nodes, [.character("k"), .up], .moveUp, "previous node"),
        KeyBinding(.nodes, [.pageDown, .ctrl("f")], .pageDown, "page down"),
        KeyBinding(.nodes, [.pageUp, .ctrl("b")], .pageUp, "page up"),
        KeyBinding(.nodes, [.character("g"), .home], .first, "first node"),
        KeyBinding(.nodes, [.character("G"), .end], .last, "last node"),
        KeyBinding(.nodes, [.character("?"), .function(1)], .toggleHelp, "help"),

        KeyBinding(.help, [.escape, .character("?"), .character("q"), .function(1)], .toggleHelp, "close the help"),
        KeyBinding(.help, [.character("j"), .down], .moveDown, "scroll down"),
        KeyBinding(.help, [.character("k"), .up], .moveUp, "scroll up"),
        KeyBinding(.help, [.pageDown, .character(" ")], .pageDown, "page down"),
        KeyBinding(.help, [.pageUp], .pageUp, "page up"),
        KeyBinding(.help, [.character("g"), .home], .first, "top"),
        KeyBinding(.help, [.character("G"), .end], .last, "bottom"),

        KeyBinding(.messages, [.escape, .character("q"), .character("M"), .enter], .back, "close"),
        KeyBinding(.messages, [.character("j"), .down], .moveDown, "scroll down"),
        KeyBinding(.messages, [.character("k"), .up], .moveUp, "scroll up"),
        KeyBinding(.messages, [.pageDown, .character(" ")], .pageDown, "page down"),
        KeyBinding(.messages, [.pageUp], .pageUp, "page up"),

        KeyBinding(.confirmQuit, [.character("y"), .ctrl("c")], .quitNow, "quit"),
        KeyBinding(.confirmQuit, [.character("n"), .escape, .character("q")], .back, "stay"),

        KeyBinding(.confirmDelete, [.character("y")], .accept, "delete the provider (unprovides it first)"),
        KeyBinding(.confirmDelete, [.character("n"), .escape, .character("q")], .back, "keep it"),

        KeyBinding(.rules, [.escape, .character("q"), .character("R")], .back, "close the Rules overlay"),
        KeyBinding(.rules, [.character("j"), .down], .moveDown, "next rule"),
        KeyBinding(.rules, [.character("k"), .up], .moveUp, "previous rule"),
        KeyBinding(.rules, [.character(" ")], .toggleRule, "enable / disable the selected rule (live)"),
        KeyBinding(.rules, [.character("a")], .addRule, "add a rule: one line of JSON, as an entry of a rules file"),
        KeyBinding(.rules, [.character("e"), .enter], .editRule, "edit the selected rule's JSON"),
        KeyBinding(.rules, [.character("d")], .deleteRule, "delete the selected rule (the rules after it move up)"),

        KeyBinding(.ruleInput, [.enter], .confirm, "save the rule (refused with a one-line reason when it is wrong)"),
        KeyBinding(.ruleInput, [.escape], .back, "cancel"),
    ] + readline(.ruleInput) + [
        KeyBinding(.held, [.character("a")], .releaseHeld, "release it to the provider as it is"),
        KeyBinding(.held, [.character("E")], .editHeld, "edit the request's JSON, then release it"),
        KeyBinding(.held, [.character("O")], .answerHeld, "answer the requestor by hand: RESPONSE with typed JSON"),
        KeyBinding(.held, [.character("F")], .failHeld, "answer the requestor by hand: REQUEST_ERROR with typed JSON"),
        KeyBinding(.held, [.character("X")], .rejectHeld, "reject it (broker: REJECT on the provider's behalf; proxy: NO_RPC_PROVIDER)"),
        KeyBinding(.held, [.character("D")], .dropHeld, "drop it (the broker's response timeout ends it; proxy: the client's own)"),

        KeyBinding(.heldInput, [.enter], .confirm, "send (only valid JSON)"),
        KeyBinding(.heldInput, [.escape], .back, "back to the call"),
    ] + readline(.heldInput))
}
