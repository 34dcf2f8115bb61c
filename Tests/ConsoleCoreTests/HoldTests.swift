import ConsoleCore
import DeepstreamProtocol
import RPCSteering
import Testing

/// Held calls in the reducer (issue 13): the held list and badge, `H`, the resolution keys and the
/// JSON editor; the broker's side is in RPCRouterHoldTests.
@Suite("Held calls (reduce)")
struct HoldTests {
    let id = CallID(requestor: PeerID(7), correlationId: "c1")

    func heldState() -> ConsoleState {
        var configuration = ConsoleConfiguration(url: "ws://127.0.0.1:6020/deepstream", user: "console", embeddedBroker: true)
        configuration.canSteer = true
        var state = ConsoleState(configuration: configuration, columns: 120, rows: 40)
        _ = reduce(&state, brokerCall("c1", "pay", peer: 7, .requested(data: #"{"amount":12}"#), at: time(1)))
        _ = reduce(&state, brokerCall("c1", "pay", peer: 7, .steered(rule: 1, action: "hold", detail: nil), at: time(1)))
        return state
    }

    @Test("A hold step lists the call as held; H opens it with the resolution keys on top")
    func heldAndOpened() {
        var state = heldState()
        #expect(state.heldCalls == [CallKey(origin: .broker, call: id)])
        #expect(state.notice?.text.hasPrefix("pay is held by rule 1") == true)
        press(&state, .character("H"))
        #expect(state.overlay == .detail(CallKey(origin: .broker, call: id), scroll: 0))
        #expect(state.activeContexts.first == .held)
        #expect(state.detailLines?.first?.description.hasPrefix("HELD in the console") == true)
        #expect(state.detailLines?.contains { $0.description.contains("held in the console by rule 1") } == true)
        #expect(state.keyHint.hasPrefix("Held: a release"))
    }

    @Test("a releases, X rejects, D drops: one effect each for the broker")
    func singleKeys() {
        for (key, resolution) in [("a", HeldCallResolution.release(data: nil)), ("X", .reject), ("D", .drop)] {
            var state = heldState()
            press(&state, .character("H"))
            #expect(work(press(&state, .character(Character(key)))) == [.resolveHeld(id, resolution)], "\(key)")
        }
    }

    @Test("E edits the request's JSON (invalid JSON is refused in place), Enter releases with it")
    func editAndRelease() {
        var state = heldState()
        press(&state, .character("H"), .character("E"))
        guard case .heldInput(_, .release, let editor) = state.overlay else {
            Issue.record("no editor: \(String(describing: state.overlay))")
            return
        }
        #expect(editor.text == #"{"amount":12}"#)
        press(&state, .ctrl("u"))
        type(&state, #"{"amount": 99"#)
        #expect(work(press(&state, .enter)).isEmpty)
        #expect(state.promptError?.hasPrefix("Not valid JSON") == true)
        type(&state, "}")
        #expect(work(press(&state, .enter)) == [.resolveHeld(id, .release(data: #"{"amount":99}"#))])
        #expect(state.overlay == .detail(CallKey(origin: .broker, call: id), scroll: 0))
    }

    @Test("O answers with a RESPONSE, F with a REQUEST_ERROR; Esc goes back to the call")
    func answerByHand() {
        var state = heldState()
        press(&state, .character("H"), .character("O"))
        press(&state, .escape)
        #expect(state.overlay == .detail(CallKey(origin: .broker, call: id), scroll: 0))
        press(&state, .character("O"))
        type(&state, "[1, 2]")
        #expect(work(press(&state, .enter)) == [.resolveHeld(id, .respond(data: "[1,2]"))])
        press(&state, .character("F"), .ctrl("u"))
        type(&state, #"{"code": 402}"#)
        #expect(work(press(&state, .enter)) == [.resolveHeld(id, .fail(error: #"{"code":402}"#))])
    }

    @Test("A resolution step leaves the held list; a call the broker ends while held says so")
    func leavesTheList() {
        var state = heldState()
        _ = reduce(&state, brokerCall("c1", "pay", peer: 7, .steered(rule: 1, action: "released", detail: nil), at: time(2)))
        #expect(state.heldCalls.isEmpty)
        var timedOut = heldState()
        _ = reduce(&timedOut, brokerCall("c1", "pay", peer: 7, .failed(reason: .responseTimeout), at: time(11)))
        #expect(timedOut.heldCalls.isEmpty)
        #expect(timedOut.notice?.text == "Held call pay ended while held: RESPONSE_TIMEOUT")
        #expect(timedOut.notice?.isError == true)
        // H with nothing held only explains; the keys do nothing on a call that is not held.
        press(&timedOut, .character("H"))
        #expect(timedOut.notice?.text.hasPrefix("No held calls") == true)
        press(&timedOut, .enter)
        #expect(work(press(&timedOut, .character("a"))).isEmpty)
    }
}
