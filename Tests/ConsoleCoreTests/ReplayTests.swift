import ConsoleCore
import DeepstreamProtocol
import Testing

/// `r` and `e` on a call of the log (issue 13): resend it from the console, or load it into the composer.
@Suite("Replay and edit a logged call (r / e)")
struct ReplayTests {
    /// A state with one finished call of another client (peer 7): `pay` with `{"amount": 12, "card": "x"}`.
    func stateWithOtherClientsCall(data: String? = #"{"amount":12,"card":"x"}"#, seenRequest: Bool = true) -> ConsoleState {
        var state = makeState()
        if seenRequest {
            _ = reduce(&state, brokerCall("c9", "pay", peer: 7, .requested(data: data), at: time(1)))
        }
        _ = reduce(&state, brokerCall("c9", "pay", peer: 7, .routed(to: PeerID(3)), at: time(1, ms: 1)))
        _ = reduce(&state, brokerCall("c9", "pay", peer: 7, .errored(data: #""card declined""#), at: time(1, ms: 5)))
        return state
    }

    @Test("r in the Calls pane sends another client's call again from the console, same name and data")
    func resendFromCalls() {
        var state = stateWithOtherClientsCall()
        #expect(state.focus == .calls)
        #expect(state.selectedCall?.name == "pay")
        let effects = work(press(&state, .character("r")))
        let body = "{\n  \"amount\": 12,\n  \"card\": \"x\"\n}"
        #expect(effects == [
            .make(name: "pay", data: ["amount": 12, "card": "x"], requestID: RequestID(1)),
            .saveHistory([ComposerHistoryEntry(name: "pay", body: body)]),
        ])
        // Its outcome appears like any composer call's.
        #expect(state.composer.lastSend == .pending(RequestID(1), name: "pay"))
        #expect(state.pendingRequests[RequestID(1)] == "pay")
        #expect(state.notice?.text.contains("Sent pay again") == true)
        let call = CallID(requestor: nil, correlationId: "k1")
        _ = reduce(&state, .makeFinished(requestID: RequestID(1), call: call, outcome: .response(3)))
        #expect(state.composer.lastSend == .finished(RequestID(1), name: "pay", call: call, outcome: .response(3)))
        // The focus stays in the Calls pane, and F5 repeats the resent call.
        #expect(state.focus == .calls)
        #expect(work(press(&state, .function(5))).first == .make(name: "pay", data: ["amount": 12, "card": "x"], requestID: RequestID(2)))
    }

    @Test("r on a call without payload sends none; r in the detail view resends the call shown")
    func resendWithoutPayloadAndFromDetail() {
        var state = makeState()
        _ = reduce(&state, brokerCall("c1", "ping", peer: 2, .requested(data: nil), at: time(1)))
        _ = reduce(&state, brokerCall("c2", "other", peer: 2, .requested(data: "[1]"), at: time(2)))
        // The newest call is selected; k selects the older one, Enter opens its detail.
        press(&state, .character("k"))
        press(&state, .enter)
        guard case .detail = state.overlay else {
            Issue.record("no detail open")
            return
        }
        #expect(work(press(&state, .character("r"))).first == .make(name: "ping", data: nil, requestID: RequestID(1)))
        // The detail stays open for the next key.
        guard case .detail = state.overlay else {
            Issue.record("the detail closed")
            return
        }
    }

    @Test("e loads the call's name and pretty data into the composer, typing in the body; Ctrl-S sends the edit")
    func editIntoComposer() {
        var state = stateWithOtherClientsCall()
        #expect(work(press(&state, .character("e"))).isEmpty)
        #expect(state.focus == .composer)
        #expect(state.isEditingComposer)
        #expect(state.composer.field == .body)
        #expect(state.composer.name.text == "pay")
        #expect(state.composer.body.text == "{\n  \"amount\": 12,\n  \"card\": \"x\"\n}")
        #expect(state.pendingRequests.isEmpty, "e sends nothing by itself")
        // Edit: at the end of the body, replace the closing brace with a new member.
        press(&state, .ctrl("x"))
        type(&state, #"{"amount": 99}"#)
        #expect(work(press(&state, .ctrl("s"))).first == .make(name: "pay", data: ["amount": 99], requestID: RequestID(1)))
    }

    @Test("e in the detail view closes it and fills the composer")
    func editFromDetail() {
        var state = stateWithOtherClientsCall()
        press(&state, .enter)
        press(&state, .character("e"))
        #expect(state.overlay == nil)
        #expect(state.composer.name.text == "pay")
        #expect(state.focus == .composer)
    }

    @Test("A call whose request was not seen cannot be sent again or edited; nothing is sent")
    func unseenRequestIsRefused() {
        var state = stateWithOtherClientsCall(seenRequest: false)
        #expect(work(press(&state, .character("r"))).isEmpty)
        #expect(state.notice?.isError == true)
        #expect(state.notice?.text == "Cannot send pay again: its request was not seen (the call was observed after it was made)")
        press(&state, .character("e"))
        #expect(state.composer.name.text == "")
        #expect(state.focus == .calls)
        #expect(state.pendingRequests.isEmpty)
    }

    @Test("Request text that is not JSON is refused with a reason")
    func nonJSONRequest() {
        var state = stateWithOtherClientsCall(data: "{not json")
        #expect(work(press(&state, .character("r"))).isEmpty)
        #expect(state.notice?.text == "Cannot send pay again: its request data is not JSON")
    }

    @Test("r with an empty log only says so")
    func emptyLog() {
        var state = makeState()
        #expect(work(press(&state, .character("r"))).isEmpty)
        #expect(state.notice?.text == "No call selected")
    }
}
