/// The table of every key binding. The reducer dispatches keys through it and the help overlay and
/// docs/console.md are generated from it.
public struct Keymap: Hashable, Sendable {
    /// The bindings, in help order.
    public let bindings: [KeyBinding]
    private let lookup: [KeyContext: [KeyPress: ConsoleCommand]]

    /// Creates a keymap; for a key bound twice in one context, the first binding wins.
    public init(_ bindings: [KeyBinding]) {
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
    public func command(for key: KeyPress, in contexts: [KeyContext]) -> ConsoleCommand? {
        for context in contexts {
            if let command = lookup[context]?[key] { return command }
        }
        return nil
    }

    /// The bindings of one context, in table order.
    public func bindings(in context: KeyContext) -> [KeyBinding] { bindings.filter { $0.context == context } }

    /// The help text: for every context with bindings, a title and `keys  description` lines.
    public func helpSections() -> [(title: String, entries: [(keys: String, description: String)])] {
        KeyContext.allCases.compactMap { context in
            let entries = bindings(in: context).map { binding in
                (keys: binding.keys.map(\.description).joined(separator: " "), description: binding.description)
            }
            return entries.isEmpty ? nil : (title: context.title, entries: entries)
        }
    }

    /// The keymap as Markdown tables (pasted into docs/console.md).
    public func markdown() -> String {
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

    /// The console's keymap.
    public static let standard = Keymap([
        KeyBinding(.global, [.ctrl("c")], .quit, "quit (asks first if calls are in flight)"),
        KeyBinding(.global, [.tab], .focusNext, "next pane"),
        KeyBinding(.global, [.backTab], .focusPrevious, "previous pane"),
        KeyBinding(.global, [.ctrl("r")], .repeatLast, "send the last request again"),
        KeyBinding(.global, [.function(1)], .toggleHelp, "help"),
        KeyBinding(.global, [.ctrl("l")], .redraw, "repaint the screen"),
        KeyBinding(.global, [.escape], .back, "back out (close, cancel, clear message)"),

        KeyBinding(.panes, [.character("q")], .quit, "quit (asks first if calls are in flight)"),
        KeyBinding(.panes, [.character("?")], .toggleHelp, "help"),
        KeyBinding(.panes, [.character("h"), .left], .focusPrevious, "pane to the left"),
        KeyBinding(.panes, [.character("l"), .right], .focusNext, "pane to the right"),
        KeyBinding(.panes, [.character("c")], .focusComposer, "go to the composer"),
        KeyBinding(.panes, [.character("s")], .toggleStats, "statistics per RPC (calls, errors, latency percentiles)"),
        KeyBinding(.panes, [.character("j"), .down], .moveDown, "down"),
        KeyBinding(.panes, [.character("k"), .up], .moveUp, "up"),
        KeyBinding(.panes, [.pageDown, .ctrl("f")], .pageDown, "page down"),
        KeyBinding(.panes, [.pageUp, .ctrl("b")], .pageUp, "page up"),
        KeyBinding(.panes, [.character("g"), .home], .first, "first row"),
        KeyBinding(.panes, [.character("G"), .end], .last, "last row (Calls: follow new calls)"),

        KeyBinding(.providers, [.character(" ")], .toggleProvide, "provide / unprovide the selected own provider"),
        KeyBinding(.providers, [.character("a")], .addProvider, "add a provider (name and behaviour)"),
        KeyBinding(.providers, [.enter], .composeForSelected, "compose a call to the selected provider"),

        KeyBinding(.calls, [.character("p")], .togglePause, "pause / resume the view (calls keep being recorded)"),
        KeyBinding(.calls, [.character("/")], .startFilter, "filter by name:, state: or text"),
        KeyBinding(.calls, [.enter], .openDetail, "open the call's detail"),

        KeyBinding(.composer, [.ctrl("s")], .send, "send (only valid JSON is sent)"),
        KeyBinding(.composer, [.ctrl("p")], .historyOlder, "older history entry (without sending)"),
        KeyBinding(.composer, [.ctrl("n")], .historyNewer, "newer history entry"),
        KeyBinding(.composer, [.backspace], .deleteBackward, "delete before the cursor"),
        KeyBinding(.composer, [.delete], .deleteForward, "delete at the cursor"),
        KeyBinding(.composer, [.left], .cursorLeft, "cursor left"),
        KeyBinding(.composer, [.right], .cursorRight, "cursor right"),
        KeyBinding(.composer, [.home], .cursorHome, "line start"),
        KeyBinding(.composer, [.end], .cursorEnd, "line end"),

        KeyBinding(.composerName, [.tab], .complete, "complete the name from known providers (again: next match)"),
        KeyBinding(.composerName, [.enter], .confirm, "go to the JSON body"),
        KeyBinding(.composerName, [.up], .historyOlder, "older history entry"),
        KeyBinding(.composerName, [.down], .historyNewer, "newer history entry"),

        KeyBinding(.composerBody, [.enter], .newline, "new line"),
        KeyBinding(.composerBody, [.up], .cursorUp, "cursor up"),
        KeyBinding(.composerBody, [.down], .cursorDown, "cursor down"),
        KeyBinding(.composerBody, [.pageUp], .cursorPageUp, "cursor page up"),
        KeyBinding(.composerBody, [.pageDown], .cursorPageDown, "cursor page down"),
        KeyBinding(.composerBody, [.escape], .back, "back to the name field"),

        KeyBinding(.filterInput, [.enter], .confirm, "keep the filter"),
        KeyBinding(.filterInput, [.escape], .back, "cancel (restore the previous filter)"),
        KeyBinding(.filterInput, [.backspace], .deleteBackward, "delete before the cursor"),
        KeyBinding(.filterInput, [.delete], .deleteForward, "delete at the cursor"),
        KeyBinding(.filterInput, [.left], .cursorLeft, "cursor left"),
        KeyBinding(.filterInput, [.right], .cursorRight, "cursor right"),

        KeyBinding(.prompt, [.enter], .confirm, "add the provider (`name behaviour`, e.g. `greet echo`)"),
        KeyBinding(.prompt, [.escape], .back, "cancel"),
        KeyBinding(.prompt, [.backspace], .deleteBackward, "delete before the cursor"),
        KeyBinding(.prompt, [.delete], .deleteForward, "delete at the cursor"),
        KeyBinding(.prompt, [.left], .cursorLeft, "cursor left"),
        KeyBinding(.prompt, [.right], .cursorRight, "cursor right"),

        KeyBinding(.detail, [.escape, .enter], .back, "close the detail"),

        KeyBinding(.stats, [.escape, .character("s"), .character("q")], .toggleStats, "close the Stats view"),
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

        KeyBinding(.help, [.escape, .character("?"), .character("q"), .function(1)], .toggleHelp, "close the help"),
        KeyBinding(.help, [.character("j"), .down], .moveDown, "scroll down"),
        KeyBinding(.help, [.character("k"), .up], .moveUp, "scroll up"),
        KeyBinding(.help, [.pageDown, .character(" ")], .pageDown, "page down"),
        KeyBinding(.help, [.pageUp], .pageUp, "page up"),
        KeyBinding(.help, [.character("g"), .home], .first, "top"),
        KeyBinding(.help, [.character("G"), .end], .last, "bottom"),

        KeyBinding(.confirmQuit, [.character("y"), .ctrl("c")], .quitNow, "quit"),
        KeyBinding(.confirmQuit, [.character("n"), .escape], .back, "stay"),
    ])
}
