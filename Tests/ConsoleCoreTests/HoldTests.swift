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

    @Test("Proxy mode: the notices say what the proxy does (NO_RPC_PROVIDER, the client's own timeout); its steps read right; a connection end while held says so")
    func proxyMode() {
        func proxyState() -> ConsoleState {
            var configuration = ConsoleConfiguration(url: "ws://127.0.0.1:6021/deepstream", user: "console")
            configuration.canSwitchProviders = true
            configuration.canEditRules = true
            var state = ConsoleState(configuration: configuration, columns: 120, rows: 40)
            _ = reduce(&state, brokerCall("c1", "pay", peer: 7, .requested(data: "1"), at: time(1)))
            _ = reduce(&state, brokerCall("c1", "pay", peer: 7, .steered(rule: 1, action: "hold", detail: nil), at: time(1)))
            return state
        }
        var rejected = proxyState()
        #expect(rejected.heldCalls == [CallKey(origin: .broker, call: id)])
        press(&rejected, .character("H"))
        #expect(work(press(&rejected, .character("X"))) == [.resolveHeld(id, .reject)])
        #expect(rejected.notice?.text == "Held call pay rejected (answered NO_RPC_PROVIDER: the server never saw it)")
        _ = reduce(&rejected, brokerCall("c1", "pay", peer: 7, .steered(rule: 1, action: "rejected-by-hand", detail: "NO_RPC_PROVIDER"), at: time(2)))
        #expect(rejected.heldCalls.isEmpty)
        #expect(rejected.detailLines?.contains { $0.description.contains("rejected by hand (answered NO_RPC_PROVIDER)") } == true)

        var dropped = proxyState()
        press(&dropped, .character("H"))
        #expect(work(press(&dropped, .character("D"))) == [.resolveHeld(id, .drop)])
        #expect(dropped.notice?.text == "Held call pay dropped (the requestor's client times out on its own)")

        var gone = proxyState()
        _ = reduce(&gone, brokerCall("c1", "pay", peer: 7, .abandoned(reason: "the connection ended while it was held in the proxy (client went away)"), at: time(3)))
        #expect(gone.heldCalls.isEmpty)
        #expect(gone.notice?.text.hasPrefix("Held call pay ended while held") == true)
        #expect(gone.notice?.isError == true)

        #expect(CallDetailContent.steeringSummary(rule: 1, action: "hold-skipped", detail: "100 held on this connection (at most 100 calls, 16 MiB)")
            == "not held: rule 1 skipped, 100 held on this connection (at most 100 calls, 16 MiB)")
    }
}
