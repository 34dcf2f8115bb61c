import ConsoleCore
import DeepstreamProtocol
import Testing

/// Issue 11's filter vocabulary, counts and the extras: negation, latency and regex terms, match
/// counts, copy formats, the provider detail, the mouse, G on a paused view.
@Suite("Filters, counts and extras")
struct FilterAndExtrasTests {
    /// Four broker calls: ok (5 ms), REQUEST_ERROR, NO_RPC_PROVIDER, still open.
    func state() -> ConsoleState {
        var state = makeState()
        _ = reduce(&state, brokerCall("a", "math.add", .requested(data: "{}"), at: time(0)))
        _ = reduce(&state, brokerCall("a", "math.add", .responded(data: "1"), at: time(0, ms: 5)))
        _ = reduce(&state, brokerCall("b", "math.div", .requested(data: "{}"), at: time(1)))
        _ = reduce(&state, brokerCall("b", "math.div", .errored(data: "\"div by 0\""), at: time(1, ms: 1)))
        _ = reduce(&state, brokerCall("c", "health", .requested(data: nil), at: time(2)))
        _ = reduce(&state, brokerCall("c", "health", .failed(reason: .noRPCProvider), at: time(2, ms: 1)))
        _ = reduce(&state, brokerCall("d", "slow", .requested(data: nil), at: time(3)))
        return state
    }

    func names(_ state: ConsoleState, _ filter: String) -> [String] {
        state.calls.log.count > 0 ? state.calls.visibleRows(matching: state.matcher(for: CallFilter(filter))).map(\.name) : []
    }

    @Test func stateErrorMeansEveryFailedCallAndMatchesTheStatusLine() {
        let state = state()
        #expect(names(state, "state:error") == ["math.div", "health"])
        #expect(names(state, "state:err") == ["math.div", "health"])
        #expect(state.stats.errors == names(state, "state:error").count)
        #expect(names(state, "state:request-error") == ["math.div"])
        #expect(names(state, "state:no-provider") == ["health"])
        #expect(names(state, "state:open") == ["slow"])
    }

    @Test func negationLatencyAndRegexTerms() {
        let state = state()
        #expect(names(state, "!state:ok") == ["math.div", "health", "slow"])
        #expect(names(state, "-name:math") == ["health", "slow"])
        #expect(names(state, "latency:>2ms") == ["math.add"])
        #expect(names(state, "latency:<=1ms") == ["math.div", "health"])
        #expect(names(state, "latency:>1s").isEmpty)
        #expect(names(state, "name:~^math\\.(add|div)$") == ["math.add", "math.div"])
        #expect(names(state, "~DIV") == ["math.div"], "regex is case-insensitive")
        #expect(names(state, "!~^math") == ["health", "slow"])
        // An invalid expression is plain text (and matches nothing here).
        #expect(names(state, "~(").isEmpty)
    }

    @Test func theFooterCountFollowsRecordedCalls() {
        var state = state()
        press(&state, .character("/"))
        type(&state, "state:error\n")
        #expect(state.calls.matchCount == 2)
        _ = reduce(&state, brokerCall("d", "slow", .failed(reason: .responseTimeout), at: time(4)))
        #expect(state.calls.matchCount == 3)
        _ = reduce(&state, brokerCall("e", "x", .requested(data: nil), at: time(5)))
        #expect(state.calls.matchCount == 3)
        // Eviction: a log of 2 keeps only the newest calls.
        var small = makeState(capacity: 2)
        press(&small, .character("/"))
        type(&small, "state:error\n")
        _ = reduce(&small, brokerCall("1", "a", .failed(reason: .noRPCProvider), at: time(0)))
        _ = reduce(&small, brokerCall("2", "b", .failed(reason: .noRPCProvider), at: time(1)))
        _ = reduce(&small, brokerCall("3", "c", .requested(data: nil), at: time(2)))
        #expect(small.calls.matchCount == 1)
    }

    @Test func copyFormats() throws {
        let state = state()
        let record = try #require(state.visibleCallRows.first { $0.name == "math.add" })
        let json = CallExport.json.text(for: record, route: "#1 → ?")
        let parsed = try JSONValue(parsing: json)
        #expect(parsed["name"] == "math.add" && parsed["response"] == 1 && parsed["state"] == "ok")
        #expect(CallExport.commandLine.text(for: record, route: "") == "dsconsole call 'math.add' '{}'")
        #expect(CallExport.javaScript.text(for: record, route: "").hasPrefix("client.rpc.make(\"math.add\", {}, "))
        #expect(CallExport.shellQuoted("it's") == #"'it'\''s'"#)
    }

    @Test func copyInTheDetailViewEmitsTheText() {
        var state = state()
        press(&state, .enter)
        let effects = work(press(&state, .character("Y")))
        #expect(effects == [.copy("dsconsole call 'slow'")])
        #expect(state.notice?.text.contains("dsconsole call command") == true)
    }

    @Test func detailNextPreviousAndJumps() {
        var state = state()
        press(&state, .enter)
        guard case .detail(let key, _) = state.overlay else { Issue.record("detail"); return }
        #expect(state.calls.log[key]?.name == "slow")
        press(&state, .character("N"))
        guard case .detail(let previous, _) = state.overlay else { Issue.record("detail"); return }
        #expect(state.calls.log[previous]?.name == "health")
        press(&state, .character("3"))
        guard case .detail(_, let scroll) = state.overlay, let lines = state.detailLines else { Issue.record("detail"); return }
        #expect(lines[scroll].description == "Response" || scroll == max(0, lines.count - state.layout.detailHeight))
        press(&state, .character("]"))
        guard case .detail(let next, 0) = state.overlay else { Issue.record("detail"); return }
        #expect(state.calls.log[next]?.name == "slow")
    }

    @Test func gResumesAPausedView() {
        var state = state()
        press(&state, .character("p"))
        #expect(state.calls.isPaused)
        press(&state, .character("G"))
        #expect(!state.calls.isPaused && state.calls.isFollowing)
    }

    @Test func providerDetailShowsTheFullBehaviourAndRecentCalls() {
        var state = state()
        _ = reduce(&state, .ownProvidersLoaded([OwnProviderSpec(name: "math.add", behaviour: "template {{data.a + data.b}} with a long tail")]))
        press(&state, .tab, .character("i"))
        let text = state.providerDetailLines.map(\.description)
        #expect(text.contains { $0.contains("template {{data.a + data.b}} with a long tail") })
        #expect(text.contains { $0.contains("ok") && $0.contains("5.00ms") })
        press(&state, .escape)
        #expect(state.overlay == nil)
    }

    @Test func mouseClickFocusesAndSelectsWheelScrolls() {
        var state = state()
        let calls = state.layout.calls
        // The header is the first inner row; the second call row is two below it.
        press(&state, .mouse(row: calls.y + 3, column: calls.x + 5, .click))
        #expect(state.focus == .calls)
        #expect(state.calls.selectedRecord?.name == "math.div")
        #expect(!state.calls.isFollowing)
        press(&state, .mouse(row: calls.y + 3, column: calls.x + 5, .wheelDown))
        #expect(state.calls.selectedRecord?.name == "slow")
        let composer = state.layout.composer
        press(&state, .mouse(row: composer.y + 1, column: composer.x + 3, .click))
        #expect(state.focus == .composer && state.isEditingComposer)
    }

    @Test func reroutedCallsAreMarked() {
        var state = makeState()
        _ = reduce(&state, brokerCall("r", "x", .requested(data: nil), at: time(0)))
        _ = reduce(&state, brokerCall("r", "x", .routed(to: PeerID(2)), at: time(0, ms: 1)))
        _ = reduce(&state, brokerCall("r", "x", .rejected(by: PeerID(2)), at: time(0, ms: 2)))
        _ = reduce(&state, brokerCall("r", "x", .routed(to: PeerID(3)), at: time(0, ms: 3)))
        let record = state.visibleCallRows[0]
        #expect(record.wasRerouted)
        #expect(CallRowFormatter(width: 120).row(record, route: "#1 → #3").description.contains("↻ #1 → #3"))
    }
}

@Suite("Detail view folding")
struct DetailFoldingTests {
    @Test func longPayloadsShowTheFirstLevelUntilZ() {
        var state = makeState()
        let members = (0..<20).map { "\"k\($0)\": {\"a\": [1, 2, 3], \"b\": {\"c\": true}}" }.joined(separator: ", ")
        _ = reduce(&state, brokerCall("f", "big", .requested(data: "{\(members)}"), at: time(0)))
        press(&state, .enter)
        let folded = state.detailLines?.map(\.description) ?? []
        #expect(folded.contains("    \"k0\": {… 2 keys},"))
        #expect(folded.contains { $0.contains("z expands") })
        press(&state, .character("z"))
        let expanded = state.detailLines?.map(\.description) ?? []
        #expect(expanded.count > folded.count)
        #expect(expanded.contains("        \"c\": true"))
        // A short payload is never folded.
        #expect(JSONHighlighter.lines(jsonText: "{\"a\": {\"b\": 1}}", indent: "  ").count == 5)
        #expect(JSONHighlighter.lines(jsonText: "{\"a\": {\"b\": 1}}", foldDepth: 1).map(\.description) == ["{", "  \"a\": {… 1 key}", "}"])
    }
}

@Suite("Sorting the Calls pane")
struct SortingTests {
    @Test func sCyclesNameLatencyAndTimeOrder() {
        var state = makeState()
        for (cid, name, ms) in [("1", "b", 5), ("2", "a", 50), ("3", "c", 1)] {
            _ = reduce(&state, brokerCall(cid, name, .requested(data: nil), at: time(Int(cid)!)))
            _ = reduce(&state, brokerCall(cid, name, .responded(data: "1"), at: time(Int(cid)!, ms: ms)))
        }
        _ = reduce(&state, brokerCall("4", "open", .requested(data: nil), at: time(9)))
        #expect(visibleNames(state) == ["b", "a", "c", "open"])
        press(&state, .character("s"))
        #expect(state.sortedCalls?.order == .name)
        #expect(visibleNames(state) == ["a", "b", "c", "open"])
        press(&state, .character("s"))
        #expect(visibleNames(state) == ["a", "b", "c", "open"], "slowest first, open calls last")
        #expect(state.selectedCall?.name == "a")
        press(&state, .character("j"), .enter)
        guard case .detail(let key, _) = state.overlay else { Issue.record("detail"); return }
        #expect(state.calls.log[key]?.name == "b", "the detail opens the call selected in the sorted view")
        press(&state, .escape)
        // A new call does not move the snapshot; s again (or G) returns to the live time order.
        _ = reduce(&state, brokerCall("5", "new", .requested(data: nil), at: time(10)))
        #expect(!visibleNames(state).contains("new"))
        press(&state, .character("s"))
        #expect(state.sortedCalls == nil)
        #expect(visibleNames(state).last == "new")
        press(&state, .character("s"), .character("G"))
        #expect(state.sortedCalls == nil && state.calls.isFollowing)
    }
}
