import ConsoleCore
import DeepstreamProtocol
import Testing

@Suite("Keys: panes, help, back, quit")
struct KeysTests {
    @Test func tabAndShiftTabCycleThroughPanes() {
        var state = makeState()
        #expect(state.focus == .calls)
        press(&state, .tab)
        #expect(state.focus == .providers)
        press(&state, .tab)
        #expect(state.focus == .composer)
        press(&state, .tab)
        #expect(state.focus == .calls)
        press(&state, .backTab)
        #expect(state.focus == .composer)
        press(&state, .backTab, .backTab)
        #expect(state.focus == .calls)
        press(&state, .character("l"))
        #expect(state.focus == .providers)
        press(&state, .character("h"))
        #expect(state.focus == .calls)
    }

    @Test func helpIsGeneratedFromTheKeymap() {
        var state = makeState()
        press(&state, .character("?"))
        #expect(state.overlay == .help(scroll: 0))
        let text = state.helpLines.map(\.description)
        for binding in Keymap.standard.bindings {
            let keys = binding.keys.map(\.description).joined(separator: " ")
            #expect(text.contains { $0.contains(keys) && $0.hasSuffix(binding.description) }, "missing \(keys)")
        }
        for context in KeyContext.allCases {
            #expect(text.contains(context.title))
        }
        press(&state, .character("j"))
        #expect(state.overlay == .help(scroll: 1))
        press(&state, .character("G"))
        #expect(state.overlay == .help(scroll: state.helpLines.count - state.layout.helpHeight))
        press(&state, .escape)
        #expect(state.overlay == nil)
        press(&state, .function(1))
        #expect(state.overlay == .help(scroll: 0))
        press(&state, .character("?"))
        #expect(state.overlay == nil)
    }

    @Test func keymapLookupPrefersTheMostSpecificContext() {
        let keymap = Keymap.standard
        #expect(keymap.command(for: .tab, in: [.composerName, .composer, .global]) == .complete)
        #expect(keymap.command(for: .tab, in: [.calls, .panes, .global]) == .focusNext)
        #expect(keymap.command(for: .escape, in: [.composerBody, .composer, .global]) == .stopEditing)
        #expect(keymap.command(for: .escape, in: [.calls, .panes, .global]) == .back)
        #expect(keymap.command(for: .character("x"), in: [.calls, .panes, .global]) == nil)
    }

    @Test func quitsAtOnceWithoutCallsInFlight() {
        var state = makeState()
        #expect(press(&state, .character("q")) == [.quit])
        #expect(state.isQuitting)
        #expect(press(&state, .character("j")).isEmpty)
    }

    @Test func quitAsksFirstWhileCallsAreInFlight() {
        var state = makeState()
        _ = reduce(&state, .historyLoaded([ComposerHistoryEntry(name: "slow", body: "")]))
        press(&state, .function(5))
        #expect(!press(&state, .character("q")).contains(.quit))
        #expect(state.overlay == .confirmQuit)
        #expect(state.activeContexts == [.confirmQuit])
        // Other keys do nothing while asking.
        press(&state, .tab)
        #expect(state.focus == .calls)
        press(&state, .character("n"))
        #expect(state.overlay == nil)
        #expect(!state.isQuitting)
        press(&state, .ctrl("c"))
        #expect(state.overlay == .confirmQuit)
        #expect(press(&state, .character("y")) == [.quit])
    }

    @Test func escapeBacksOutOneLevelAtATime() {
        var state = makeState()
        recordCalls(&state, count: 1)
        press(&state, .enter)
        #expect(state.overlay != nil)
        press(&state, .escape)
        #expect(state.overlay == nil)
        press(&state, .function(5))
        #expect(state.notice != nil)
        press(&state, .escape)
        #expect(state.notice == nil)
    }

    @Test func changingPaneClosesTheDetail() {
        var state = makeState()
        recordCalls(&state, count: 1)
        press(&state, .enter)
        #expect(state.overlay != nil)
        press(&state, .tab)
        #expect(state.overlay == nil)
        #expect(state.focus == .providers)
    }

    @Test func resizeReflowsAndRequestsARepaint() {
        var state = makeState(columns: 100, rows: 30)
        let before = state.layout.callListHeight
        #expect(reduce(&state, .key(.resize(columns: 120, rows: 50))).contains(.repaint))
        #expect(state.layout.callListHeight > before)
        #expect(state.calls.listHeight == state.layout.callListHeight)
        _ = reduce(&state, .key(.resize(columns: 40, rows: 10)))
        #expect(state.layout.isTooSmall)
    }
}
