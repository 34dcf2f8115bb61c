import ConsoleCore
import DeepstreamProtocol
import Testing

/// Issue 11 in the pure core: focus and keys, quitting, completion, paste, notices, narrow columns.
@Suite("Usability: focus, quitting, completion, paste, notices")
struct UsabilityTests {
    @Test func qClosesEveryOverlayAndNeverQuitsFromOne() {
        var state = makeState()
        recordCalls(&state, count: 3)
        press(&state, .enter)
        guard case .detail = state.overlay else {
            Issue.record("Enter opens the detail")
            return
        }
        #expect(work(press(&state, .character("q"))) == [])
        #expect(state.overlay == nil && !state.isQuitting)
        press(&state, .character("?"))
        press(&state, .character("q"))
        #expect(state.overlay == nil && !state.isQuitting)
        // Ctrl-C in the add-provider prompt closes the prompt.
        press(&state, .tab, .character("a"), .ctrl("c"))
        #expect(state.overlay == nil && !state.isQuitting)
    }

    @Test func quittingWithCallsInTheLogAsks() {
        var state = makeState()
        #expect(work(press(&state, .character("q"))) == [.quit], "an empty session quits at once")
        state = makeState()
        recordCalls(&state, count: 1)
        #expect(work(press(&state, .character("q"))) == [])
        #expect(state.overlay == .confirmQuit)
        press(&state, .character("q"))
        #expect(state.overlay == nil, "q closes the confirmation too")
        press(&state, .ctrl("c"))
        #expect(state.overlay == .confirmQuit)
        #expect(work(press(&state, .character("y"))) == [.quit])
    }

    @Test func tabInAnEmptyNameMovesOnAndNeverInventsAName() {
        var state = makeState()
        _ = reduce(&state, .ownProvidersLoaded([OwnProviderSpec(name: "alpha", behaviour: "echo"), OwnProviderSpec(name: "beta", behaviour: "echo")]))
        press(&state, .character("c"))
        #expect(state.focus == .composer && state.isEditingComposer)
        press(&state, .tab)
        #expect(state.focus == .calls)
        #expect(state.composer.name.text == "")
    }

    @Test func tabCyclesCompletionsOnceThenMovesOnWithTheTypedText() {
        var state = makeState()
        _ = reduce(&state, .ownProvidersLoaded([OwnProviderSpec(name: "add-a", behaviour: "echo"), OwnProviderSpec(name: "add-b", behaviour: "echo")]))
        press(&state, .character("c"))
        type(&state, "add")
        press(&state, .tab)
        #expect(state.composer.name.text == "add-", "first the common prefix")
        press(&state, .tab)
        #expect(state.composer.name.text == "add-a")
        press(&state, .tab)
        #expect(state.composer.name.text == "add-b")
        press(&state, .tab)
        #expect(state.focus == .calls, "after the last completion Tab moves on")
        #expect(state.composer.name.text == "add-", "with the text as it was before cycling")
    }

    @Test func paneKeysNeverBecomeText() {
        var state = makeState()
        press(&state, .tab)  // Providers
        press(&state, .character("l"))
        #expect(state.focus == .composer && !state.isEditingComposer)
        #expect(state.activeContexts.first == .composerPane)
        press(&state, .character("l"))
        #expect(state.focus == .calls)
        #expect(state.composer.body.text == "" && state.composer.name.text == "")
        press(&state, .character("h"))
        type(&state, "a bad wibble")
        #expect(state.composer.name.text == "", "pane keys typed nothing")
        #expect(state.focus == .calls, "the l of wibble moved on")
        // Enter starts typing; Esc hands the keys back to pane navigation.
        press(&state, .character("h"), .enter)
        type(&state, "x")
        #expect(state.composer.name.text == "x")
        press(&state, .escape, .character("l"))
        #expect(state.focus == .calls)
    }

    @Test func slashFiltersFromAnyPaneAndAddsNoProvider() {
        var state = makeState()
        press(&state, .tab)  // Providers
        type(&state, "/state:open\n")
        #expect(state.focus == .calls)
        #expect(state.calls.filter.text == "state:open")
        #expect(state.providers.own.isEmpty && state.overlay == nil)
    }

    @Test func deletingAProviderAsksThenUnprovides() {
        var state = makeState()
        _ = reduce(&state, .ownProvidersLoaded([OwnProviderSpec(name: "alpha", behaviour: "echo"), OwnProviderSpec(name: "beta", behaviour: "echo")]))
        press(&state, .tab, .character("d"))
        #expect(state.overlay == .confirmDelete("alpha"))
        press(&state, .character("n"))
        #expect(state.providers.own.count == 2)
        press(&state, .character("d"))
        #expect(work(press(&state, .character("y"))) == [.removeProvider(name: "alpha")])
        #expect(state.providers.own.map(\.name) == ["beta"])
    }

    @Test func pasteKeepsItsIndentationAndLineEnds() {
        var state = makeState()
        press(&state, .character("c"))
        type(&state, "rpc\n")
        type(&state, "{\n  ")  // typed: the editor indents the next line by two spaces itself
        #expect(state.composer.body.lines.map { String($0) } == ["{", "  "])
        _ = reduce(&state, .paste("\"a\": {\r    \"b\": 1\r\n  }\r"))
        _ = reduce(&state, .paste("}"))
        #expect(state.composer.body.text == "{\n  \"a\": {\n    \"b\": 1\n  }\n}")
        #expect(state.composer.validation != .empty)
        if case .invalid = state.composer.validation { Issue.record("pasted JSON is valid") }
    }

    @Test func pasteIntoOneLineFieldsUsesSpacesAndOutsideTextFieldsIsRefused() {
        var state = makeState()
        _ = reduce(&state, .paste("a\nb"))
        #expect(state.notice?.text.hasPrefix("Paste ignored") == true)
        press(&state, .character("/"))
        _ = reduce(&state, .paste("name:a\nb"))
        #expect(state.calls.filterEditor?.text == "name:a b")
    }

    @Test func aRejectedPromptKeepsItsTextAndTheMessageLogKeepsTheNotice() {
        var state = makeState()
        press(&state, .tab, .character("a"))
        type(&state, "bad wibble\n")
        let long = String(repeating: "a long reason ", count: 12)
        _ = reduce(&state, .ownProviderRejected(name: "bad", message: long, input: "bad wibble"))
        #expect(state.overlay == .addProvider(LineEditor("bad wibble")))
        #expect(state.promptError == long)
        press(&state, .escape)
        #expect(state.promptError == nil)
        press(&state, .character("M"))
        #expect(state.overlay == .messages(scroll: 0))
        let text = state.messageLines(width: 40).map(\.description).joined(separator: " ")
        #expect(text.contains("a long reason a long reason"))
        #expect(state.messageLines(width: 40).allSatisfy { $0.description.count <= 40 })
    }

    @Test func narrowCallColumnsDropTheCorrelationIdFirstAndKeepNameAndRoute() {
        let eighty = CallRowFormatter(width: 78).columns.map(\.column)
        #expect(!eighty.contains(.correlationId) && !eighty.contains(.sizes))
        #expect(eighty.contains(.name) && eighty.contains(.route) && eighty.contains(.time))
        let sixty = CallRowFormatter(width: 58)
        #expect(sixty.columns.map(\.column) == [.name, .route, .state, .total])
        let route = sixty.columns.first { $0.column == .route }!.width
        #expect(route >= 19)
        let wide = CallRowFormatter(width: 200).columns.map(\.column)
        #expect(wide == CallRowFormatter.Column.allCases)
    }

    @Test func keyHintFollowsTheFocus() {
        var state = makeState()
        #expect(state.keyHint.hasPrefix("Calls: Enter detail · / filter · p pause"))
        #expect(state.keyHint.contains("? help"))
        press(&state, .tab)
        #expect(state.keyHint.hasPrefix("Providers:"))
        press(&state, .character("l"))
        #expect(state.keyHint.hasPrefix("Composer: Enter to type"))
    }

    @Test func pluralGrammar() {
        #expect(DisplayFormat.count(1, "call") == "1 call")
        #expect(DisplayFormat.count(0, "error") == "0 errors")
        #expect(DisplayFormat.wrap("aaa bbb ccc", width: 7) == ["aaa bbb", "ccc"])
        #expect(DisplayFormat.wrap("abcdefghij", width: 4) == ["abcd", "efgh", "ij"])
    }
}
