import ConsoleCore
import DeepstreamProtocol
import Testing

@Suite("Composer: editing, validation, send, history, completion")
struct ComposerTests {
    func composerState() -> ConsoleState {
        var state = makeState()
        press(&state, .character("c"))
        return state
    }

    @Test func typesNameThenBodyWithNewlinesAndIndent() {
        var state = composerState()
        #expect(state.focus == .composer)
        #expect(state.activeContexts.first == .composerName)
        type(&state, "math.add")
        press(&state, .enter)
        #expect(state.composer.field == .body)
        type(&state, "{\n  \"a\": 1,\n\"b\": 2\n}")
        #expect(state.composer.name.text == "math.add")
        // Enter keeps the current line's indentation.
        #expect(state.composer.body.text == "{\n  \"a\": 1,\n  \"b\": 2\n  }")
        #expect(state.composer.validation == .valid(["a": 1, "b": 2]))
    }

    @Test func cursorMovementInsertAndDelete() {
        var editor = TextEditor("ab\ncd")
        editor.moveUp()
        #expect(editor.cursor == .init(line: 0, column: 2))
        editor.moveLeft()
        editor.insert("X")
        #expect(editor.text == "aXb\ncd")
        editor.moveToLineEnd()
        editor.deleteForward()
        #expect(editor.text == "aXbcd")
        editor.moveToLineStart()
        editor.deleteBackward()
        #expect(editor.text == "aXbcd")
        editor.moveRight()
        editor.insertNewline()
        #expect(editor.lines.map { String($0) } == ["a", "Xbcd"])
        editor.deleteBackward()
        #expect(editor.text == "aXbcd")
        #expect(editor.cursor == .init(line: 0, column: 1))
        // Wrapping left/right across lines; up/down keep the preferred column.
        var multi = TextEditor("long line\nx\nanother")
        multi.moveUp()
        multi.moveUp()
        #expect(multi.cursor == .init(line: 0, column: 7))
        multi.moveDown()
        #expect(multi.cursor == .init(line: 1, column: 1))
        multi.moveDown()
        #expect(multi.cursor == .init(line: 2, column: 7))
        multi.moveRight()
        #expect(multi.cursor == .init(line: 2, column: 7))
        multi.moveToLineStart()
        multi.moveLeft()
        #expect(multi.cursor == .init(line: 1, column: 1))
    }

    @Test func invalidJSONIsMarkedWhereItBreaksAndNeverSent() throws {
        var state = composerState()
        type(&state, "add")
        press(&state, .enter)
        type(&state, "{\n  \"a\": 1,\n  \"é\": tru\n}")
        guard case .invalid(let error, let position) = state.composer.validation else {
            Issue.record("expected invalid JSON, got \(state.composer.validation)")
            return
        }
        // Enter keeps the indentation, so line 3 is `    "é": tru`. It breaks at the newline after
        // "tru": byte column 14 ("é" is two bytes), character column 12.
        #expect(state.composer.body.lines[2] == Array("    \"é\": tru"))
        #expect(error.line == 3)
        #expect(error.column == 14)
        #expect(position.line == 2)
        #expect(position.column == 12)
        let effects = press(&state, .ctrl("s"))
        #expect(work(effects).isEmpty)
        #expect(state.notice?.isError == true)
        #expect(state.notice?.text.hasPrefix("Not sent: invalid JSON") == true)
        #expect(state.pendingRequests.isEmpty)
        #expect(state.composer.history.isEmpty)
    }

    @Test func sendMakesTheCallSavesHistoryAndShowsTheResult() {
        var state = composerState()
        type(&state, "add")
        press(&state, .enter)
        type(&state, "[1, 2]")
        let effects = work(press(&state, .ctrl("s")))
        let id = RequestID(1)
        #expect(effects == [
            .make(name: "add", data: [1, 2], requestID: id),
            .saveHistory([ComposerHistoryEntry(name: "add", body: "[1, 2]")]),
        ])
        #expect(state.composer.lastSend == .pending(id, name: "add"))
        #expect(state.pendingRequests[id] == "add")
        let call = CallID(requestor: nil, correlationId: "k1")
        _ = reduce(&state, .makeFinished(requestID: id, call: call, outcome: .response(3)))
        #expect(state.composer.lastSend == .finished(id, name: "add", call: call, outcome: .response(3)))
        #expect(state.pendingRequests.isEmpty)
    }

    @Test func emptyBodySendsNoPayloadAndEmptyNameIsRefused() {
        var state = composerState()
        #expect(work(press(&state, .ctrl("s"))).isEmpty)
        #expect(state.notice?.text == "Type an RPC name first")
        type(&state, "ping")
        #expect(work(press(&state, .ctrl("s"))).first == .make(name: "ping", data: nil, requestID: RequestID(1)))
    }

    @Test func historyRecallsWithoutSendingAndRestoresTheDraft() {
        var state = composerState()
        _ = reduce(&state, .historyLoaded([
            ComposerHistoryEntry(name: "one", body: "1"), ComposerHistoryEntry(name: "two", body: "{\"n\":2}"),
        ]))
        type(&state, "draft")
        #expect(work(press(&state, .up)).isEmpty)
        #expect(state.composer.name.text == "two")
        #expect(state.composer.body.text == "{\"n\":2}")
        #expect(state.composer.validation == .valid(["n": 2]))
        press(&state, .up)
        #expect(state.composer.name.text == "one")
        press(&state, .up)
        #expect(state.composer.name.text == "one")
        press(&state, .down, .down)
        #expect(state.composer.name.text == "draft")
        #expect(state.composer.historyIndex == nil)
        // Ctrl-P works from the body too.
        press(&state, .enter)
        let effects = press(&state, .ctrl("p"))
        #expect(work(effects).isEmpty)
        #expect(state.composer.name.text == "two")
        #expect(state.pendingRequests.isEmpty)
    }

    @Test func ctrlRRepeatsTheLastRequestFromAnyPane() {
        var state = makeState()
        #expect(work(press(&state, .function(5))).isEmpty)
        #expect(state.notice?.text == "Nothing to repeat yet")
        _ = reduce(&state, .historyLoaded([ComposerHistoryEntry(name: "echo", body: "\"hi\"")]))
        press(&state, .tab)
        #expect(state.focus == .providers)
        #expect(work(press(&state, .function(5))) == [.make(name: "echo", data: "hi", requestID: RequestID(1))])
        #expect(work(press(&state, .function(5))) == [.make(name: "echo", data: "hi", requestID: RequestID(2))])
        #expect(state.pendingRequests.count == 2)
    }

    @Test func historyIsBoundedAndSkipsRepeats() {
        var composer = ComposerState(historyLimit: 2)
        composer.remember(ComposerHistoryEntry(name: "a", body: ""))
        composer.remember(ComposerHistoryEntry(name: "a", body: ""))
        composer.remember(ComposerHistoryEntry(name: "b", body: ""))
        composer.remember(ComposerHistoryEntry(name: "c", body: ""))
        #expect(composer.history.map(\.name) == ["b", "c"])
    }

    @Test func tabCompletesTheNameFromKnownProviders() {
        var state = makeState()
        _ = reduce(&state, .ownProvidersLoaded([OwnProviderSpec(name: "math.add", behaviour: "echo")]))
        _ = reduce(&state, .engine(.traffic(.providerAdded(peer: PeerID(4), name: "math.mul", at: time(0)))))
        _ = reduce(&state, .engine(.traffic(.providerAdded(peer: PeerID(4), name: "greet", at: time(0)))))
        press(&state, .character("c"))
        type(&state, "m")
        press(&state, .tab)
        #expect(state.composer.name.text == "math.")
        #expect(state.focus == .composer)
        press(&state, .tab)
        #expect(state.composer.name.text == "math.add")
        press(&state, .tab)
        #expect(state.composer.name.text == "math.mul")
        // After the last match Tab moves on, with the text as typed before cycling.
        press(&state, .tab)
        #expect(state.focus == .calls)
        #expect(state.composer.name.text == "math.")
        // A complete, unique name has nothing to complete: Tab moves on.
        press(&state, .character("c"))
        press(&state, .ctrl("u"))
        type(&state, "greet")
        press(&state, .tab)
        #expect(state.focus == .calls)
    }

    @Test func printableKeysTypeInsteadOfRunningPaneCommands() {
        var state = composerState()
        let effects = type(&state, "q?jp/")
        #expect(!effects.contains(.quit))
        #expect(state.composer.name.text == "q?jp/")
        #expect(state.overlay == nil)
    }

    @Test func shiftTabFromTheBodyReturnsToTheNameAndEscStopsTyping() {
        var state = composerState()
        press(&state, .enter)
        #expect(state.composer.field == .body)
        press(&state, .backTab)
        #expect(state.composer.field == .name)
        press(&state, .enter, .escape)
        #expect(!state.isEditingComposer)
        #expect(state.activeContexts.first == .composerPane)
        type(&state, "x")
        #expect(state.composer.body.text.isEmpty, "keys no longer type")
    }

    @Test func readlineKeysEditEveryField() {
        var state = composerState()
        type(&state, "math.add")
        press(&state, .ctrl("w"))
        #expect(state.composer.name.text == "math.")
        press(&state, .ctrl("a"))
        type(&state, "x")
        press(&state, .ctrl("e"))
        type(&state, "y")
        #expect(state.composer.name.text == "xmath.y")
        press(&state, .alt("b"), .ctrl("k"))
        #expect(state.composer.name.text == "xmath.")
        press(&state, .ctrl("u"))
        #expect(state.composer.name.text == "")
        type(&state, "n\n{\"a\": 1}")
        press(&state, .alt("b"), .alt("b"))
        press(&state, .ctrl("u"))
        #expect(state.composer.body.text == "a\": 1}")
        press(&state, .ctrl("x"))
        #expect(state.composer.body.text == "")
        // The filter and prompts have them too.
        press(&state, .escape, .character("/"))
        type(&state, "name:abc def")
        press(&state, .ctrl("w"))
        #expect(state.calls.filterEditor?.text == "name:abc ")
    }

    @Test func ctrlRSearchesTheHistoryAndF5Resends() {
        var state = composerState()
        _ = reduce(&state, .historyLoaded([
            ComposerHistoryEntry(name: "math.add", body: "{\"a\": 1}"),
            ComposerHistoryEntry(name: "greet", body: "\"bob\""),
            ComposerHistoryEntry(name: "math.mul", body: "{\"a\": 2}"),
        ]))
        #expect(work(press(&state, .ctrl("r"))).isEmpty, "Ctrl-R sends nothing")
        #expect(state.historyMatches.map(\.name) == ["math.mul", "greet", "math.add"])
        type(&state, "mad")
        #expect(state.historyMatches.map(\.name) == ["math.add"], "fuzzy: m…a…d")
        press(&state, .enter)
        #expect(state.overlay == nil)
        #expect(state.composer.name.text == "math.add" && state.composer.body.text == "{\"a\": 1}")
        #expect(state.composer.field == .body && state.isEditingComposer)
        #expect(work(press(&state, .function(5))) == [.make(name: "math.mul", data: ["a": 2], requestID: RequestID(1))])
    }

    @Test func theResultTurnsStaleWhenTheRequestChanges() {
        var state = composerState()
        type(&state, "echo\n1")
        press(&state, .ctrl("s"))
        _ = reduce(&state, .makeFinished(requestID: RequestID(1), call: nil, outcome: .response(.int(1))))
        #expect(!state.composer.isResultStale)
        type(&state, "2")
        #expect(state.composer.isResultStale)
        press(&state, .ctrl("o"))
        #expect(state.overlay == .result(scroll: 0))
        #expect(state.resultLines.contains { $0.description.contains("stale") })
        #expect(state.resultLines.contains { $0.description.contains("r1 = request number 1") })
    }
}
