import ConsoleCore
import DeepstreamProtocol
import Testing

@Suite("Calls pane: follow, pause, filter, selection, detail")
struct CallsPaneTests {
    @Test func followsNewCallsByDefault() {
        var state = makeState()
        let height = state.layout.callListHeight
        recordCalls(&state, count: height + 5)
        #expect(state.calls.isFollowing)
        #expect(state.calls.selectedRecord?.name == "rpc-\(height + 4)")
        #expect(visibleNames(state).count == height)
        #expect(visibleNames(state).last == "rpc-\(height + 4)")
        #expect(visibleNames(state).first == "rpc-5")
    }

    @Test func movingUpStopsFollowingAndGResumes() {
        var state = makeState()
        let height = state.layout.callListHeight
        recordCalls(&state, count: height + 5)
        press(&state, .character("k"), .up)
        #expect(!state.calls.isFollowing)
        #expect(state.calls.selectedRecord?.name == "rpc-\(height + 2)")
        recordCalls(&state, count: 3, from: height + 5)
        // Not following: the selection and the window stay put.
        #expect(state.calls.selectedRecord?.name == "rpc-\(height + 2)")
        #expect(visibleNames(state).last == "rpc-\(height + 4)")
        press(&state, .character("G"))
        #expect(state.calls.isFollowing)
        #expect(state.calls.selectedRecord?.name == "rpc-\(height + 7)")
        press(&state, .character("g"))
        #expect(state.calls.selectedRecord?.name == "rpc-0")
        #expect(visibleNames(state).first == "rpc-0")
        press(&state, .end)
        #expect(state.calls.isFollowing)
    }

    @Test func scrollingKeepsTheSelectionVisible() {
        var state = makeState()
        let height = state.layout.callListHeight
        recordCalls(&state, count: height * 3)
        press(&state, .character("g"))
        for _ in 0..<(height + 2) { press(&state, .character("j")) }
        #expect(state.calls.selectedRecord?.name == "rpc-\(height + 2)")
        #expect(visibleNames(state).last == "rpc-\(height + 2)")
        press(&state, .pageUp)
        #expect(state.calls.selectedRecord?.name == "rpc-2")
        #expect(visibleNames(state).first == "rpc-2")
        press(&state, .pageDown)
        #expect(state.calls.selectedRecord?.name == "rpc-\(height + 2)")
    }

    @Test func pauseFreezesTheViewButKeepsRecording() {
        var state = makeState()
        recordCalls(&state, count: 3)
        press(&state, .character("p"))
        #expect(state.calls.isPaused)
        recordCalls(&state, count: 4, from: 3)
        #expect(state.calls.log.count == 7)
        #expect(state.calls.hiddenSincePause == 4)
        #expect(visibleNames(state) == ["rpc-0", "rpc-1", "rpc-2"])
        #expect(state.calls.selectedRecord?.name == "rpc-2")
        press(&state, .character("p"))
        #expect(!state.calls.isPaused)
        #expect(state.calls.hiddenSincePause == 0)
        #expect(state.calls.selectedRecord?.name == "rpc-6")
        #expect(visibleNames(state).count == 7)
    }

    @Test func filterByNameStateAndText() {
        var state = makeState()
        _ = reduce(&state, brokerCall("a", "add", .requested(data: "{\"x\":\"needle\"}"), at: time(0)))
        _ = reduce(&state, brokerCall("b", "mul", .requested(data: nil), at: time(1)))
        _ = reduce(&state, brokerCall("b", "mul", .failed(reason: .noRPCProvider), at: time(1)))
        _ = reduce(&state, brokerCall("c", "add-more", .requested(data: nil), at: time(2)))
        _ = reduce(&state, brokerCall("c", "add-more", .responded(data: "1"), at: time(2)))

        press(&state, .character("/"))
        #expect(state.activeContexts.first == .filterInput)
        type(&state, "name:add")
        #expect(visibleNames(state) == ["add", "add-more"])
        press(&state, .enter)
        #expect(state.calls.filterEditor == nil)
        #expect(state.calls.filter.text == "name:add")

        press(&state, .character("/"))
        for _ in 0..<8 { press(&state, .backspace) }
        type(&state, "state:no-prov")
        #expect(visibleNames(state) == ["mul"])
        // Esc cancels the edit and restores the previous filter.
        press(&state, .escape)
        #expect(state.calls.filter.text == "name:add")
        #expect(visibleNames(state) == ["add", "add-more"])

        press(&state, .character("/"))
        for _ in 0..<8 { press(&state, .backspace) }
        type(&state, "needle")
        press(&state, .enter)
        #expect(visibleNames(state) == ["add"])
        #expect(state.calls.selectedRecord?.name == "add")

        press(&state, .character("/"))
        for _ in 0..<6 { press(&state, .backspace) }
        type(&state, "state:open")
        press(&state, .enter)
        #expect(visibleNames(state) == ["add"])
        // Esc outside the input clears the filter.
        press(&state, .escape)
        #expect(state.calls.filter.isEmpty)
        #expect(visibleNames(state).count == 3)
    }

    @Test func filterMatchesPeerNamesInTheRoute() {
        var state = makeState()
        _ = reduce(&state, .engine(.traffic(.loggedIn(peer: PeerID(7), user: "zelda", clientData: nil, at: time(0)))))
        _ = reduce(&state, brokerCall("a", "add", peer: 7, .requested(data: nil), at: time(0)))
        _ = reduce(&state, brokerCall("b", "add", peer: 8, .requested(data: nil), at: time(0)))
        press(&state, .character("/"))
        type(&state, "zelda")
        #expect(state.visibleCallRows.map(\.key.call.correlationId) == ["a"])
    }

    @Test func enterOpensTheDetailWithTimelineAndPrettyJSON() throws {
        var state = makeState()
        _ = reduce(&state, .engine(.traffic(.loggedIn(peer: PeerID(2), user: "bob", clientData: nil, at: time(0)))))
        _ = reduce(&state, .engine(.traffic(.loggedIn(peer: PeerID(3), user: "carol", clientData: nil, at: time(0)))))
        _ = reduce(&state, brokerCall("x1", "add", .requested(data: "{\"a\":1,\"b\":[true,null]}"), at: time(0)))
        _ = reduce(&state, brokerCall("x1", "add", .routed(to: PeerID(2)), at: time(0, ms: 1)))
        _ = reduce(&state, brokerCall("x1", "add", .rejected(by: PeerID(2)), at: time(0, ms: 2)))
        _ = reduce(&state, brokerCall("x1", "add", .routed(to: PeerID(3)), at: time(0, ms: 3)))
        _ = reduce(&state, brokerCall("x1", "add", .accepted(by: PeerID(3)), at: time(0, ms: 4)))
        _ = reduce(&state, brokerCall("x1", "add", .failed(reason: .responseTimeout), at: time(2)))
        #expect(state.focus == .calls)
        press(&state, .enter)
        let lines = try #require(state.detailLines).map(\.description)
        #expect(lines[0] == "add  timeout")
        #expect(lines.contains { $0.hasSuffix("routed to #2 bob") && !$0.contains("rerouted") })
        #expect(lines.contains { $0.hasSuffix("rejected by #2 bob") })
        #expect(lines.contains { $0.hasSuffix("rerouted to #3 carol") })
        #expect(lines.contains { $0.hasSuffix("accepted by #3 carol") })
        #expect(lines.contains { $0.hasSuffix("timed out (RESPONSE_TIMEOUT)") })
        let request = try #require(lines.firstIndex(of: "Request"))
        #expect(Array(lines[(request + 1)...(request + 7)]) == [
            "  {", "    \"a\": 1,", "    \"b\": [", "      true,", "      null", "    ]", "  }",
        ])
        #expect(state.activeContexts.first == .detail)
        press(&state, .character("j"))
        #expect(state.overlay == .detail(CallKey(origin: .broker, call: CallID(requestor: PeerID(1), correlationId: "x1")), scroll: 0))
        press(&state, .escape)
        #expect(state.overlay == nil)
    }

    @Test func detailOfAnEvictedCallSaysSo() throws {
        var state = makeState(capacity: 2)
        recordCalls(&state, count: 1)
        press(&state, .enter)
        recordCalls(&state, count: 2, from: 1)
        let lines = try #require(state.detailLines)
        #expect(lines.first?.description.contains("no longer in the log") == true)
    }

    @Test func ringBufferDropsAreCountedAndTheViewSurvivesEviction() {
        var state = makeState(capacity: 5)
        recordCalls(&state, count: 3)
        press(&state, .character("g"))
        #expect(state.calls.selectedRecord?.name == "rpc-0")
        recordCalls(&state, count: 9, from: 3)
        #expect(state.calls.log.droppedCount == 7)
        #expect(state.calls.log.count == 5)
        #expect(state.calls.selectedRecord?.name == "rpc-7")
        #expect(visibleNames(state) == ["rpc-7", "rpc-8", "rpc-9", "rpc-10", "rpc-11"])
    }
}
