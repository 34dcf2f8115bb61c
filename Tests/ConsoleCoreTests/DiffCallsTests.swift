import ConsoleCore
import DeepstreamProtocol
import Testing

@Suite("d / m: diff a call's response")
struct DiffCallsTests {
    /// Three `greet` calls and one `other`, oldest first; the Calls pane is focused on the newest.
    static func state() -> ConsoleState {
        var state = makeState()
        let responses = [#"{"greeting":"Hello","n":1,"tags":["a"]}"#, #"{"greeting":"Hi","n":1,"tags":["a","b"]}"#, "", #"{"n":1,"greeting":"Hi","tags":["a","b"]}"#]
        for (index, response) in responses.enumerated() {
            let name = index == 2 ? "other" : "greet"
            _ = reduce(&state, brokerCall("c\(index)", name, .requested(data: "{}"), at: time(1, ms: index * 10)))
            _ = reduce(&state, brokerCall("c\(index)", name, .responded(data: response.isEmpty ? "1" : response), at: time(1, ms: index * 10 + 5)))
        }
        _ = reduce(&state, .tick(time(2)))
        return state
    }

    @Test("d diffs with the previous call of the same name: paths, then the unified diff with - and +")
    func previousOfSameName() throws {
        var state = Self.state()
        #expect(state.selectedCall?.key.call.correlationId == "c3")
        press(&state, .character("k"), .character("k"))
        #expect(state.selectedCall?.key.call.correlationId == "c1")
        press(&state, .character("d"))
        guard case .diff(let old, let new, 0)? = state.overlay else {
            Issue.record("no diff overlay: \(String(describing: state.overlay))")
            return
        }
        #expect(old.call.correlationId == "c0" && new.call.correlationId == "c1")
        let text = state.diffLines.map(\.description)
        #expect(text == [
            "- greet #1 (previous greet) · ok",
            "+ greet #2 (selected) · ok",
            "",
            "2 differences:",
            #"  ~ $.greeting: "Hello" -> "Hi""#,
            #"  + $.tags[1]: "b""#,
            "",
            "  {",
            #"-   "greeting": "Hello","#,
            #"+   "greeting": "Hi","#,
            #"    "n": 1,"#,
            #"    "tags": ["#,
            #"-     "a""#,
            #"+     "a","#,
            #"+     "b""#,
            "    ]",
            "  }",
        ])
        #expect(state.diffLines[8].spans.first?.role == .stateError)
        #expect(state.diffLines[9].spans.first?.role == .stateOK)
        #expect(state.keyHint == "j/k scroll · Esc closes")
        press(&state, .escape)
        #expect(state.overlay == nil)
    }

    @Test("m marks a call; d on another diffs against the mark; equal data in another order is the same")
    func marked() {
        var state = Self.state()
        press(&state, .character("k"), .character("k"))
        press(&state, .character("m"))
        #expect(state.markedCall?.call.correlationId == "c1")
        press(&state, .character("G"))
        press(&state, .character("d"))
        guard case .diff(let old, let new, _)? = state.overlay else {
            Issue.record("no diff overlay")
            return
        }
        #expect(old.call.correlationId == "c1" && new.call.correlationId == "c3")
        #expect(state.diffLines[0].description == "- greet #2 (marked) · ok")
        #expect(state.diffLines[3].description == "Same response (member order and number spelling aside).")
        press(&state, .escape)
        // m on the marked call unmarks it.
        press(&state, .character("k"), .character("k"), .character("m"))
        #expect(state.markedCall == nil)
    }

    @Test("d on the first call of a name says there is nothing to diff with")
    func nothingToDiff() {
        var state = Self.state()
        press(&state, .character("k"))
        #expect(state.selectedCall?.name == "other")
        press(&state, .character("d"))
        #expect(state.overlay == nil)
        #expect(state.notice?.text == "No earlier call of other to diff with (m marks a call to diff against)")
    }

    @Test("Line diff: common lines kept, changes as removed then added; too large a middle is refused")
    func lineDiff() {
        #expect(LineDiff.lines(from: ["a", "b", "c"], to: ["a", "x", "c", "d"]) == [
            .same("a"), .removed("b"), .added("x"), .same("c"), .added("d"),
        ])
        #expect(LineDiff.lines(from: [], to: ["a"]) == [.added("a")])
        #expect(LineDiff.lines(from: ["a"], to: []) == [.removed("a")])
        #expect(LineDiff.lines(from: ["x", "a", "b"], to: ["a", "b", "y"]) == [.removed("x"), .same("a"), .same("b"), .added("y")])
        let big = (0..<3000).map { "o\($0)" }
        let other = (0..<3000).map { "n\($0)" }
        #expect(LineDiff.lines(from: big, to: other) == nil)
        #expect(LineDiff.lines(from: big, to: big)?.count == 3000)
    }
}
