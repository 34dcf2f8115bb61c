import ConsoleCore
import DeepstreamProtocol
import Testing

/// Space on another client's provider (issue 13), in the reducer.
@Suite("Switching another client's provider off (reduce)")
struct SwitchOffTests {
    func steeringState() -> ConsoleState {
        var configuration = ConsoleConfiguration(url: "ws://127.0.0.1:6020/deepstream", user: "console", embeddedBroker: true)
        configuration.canSteer = true
        var state = ConsoleState(configuration: configuration, columns: 120, rows: 40)
        _ = reduce(&state, .engine(.traffic(.loggedIn(peer: PeerID(2), user: "bob", clientData: nil, at: time(0)))))
        _ = reduce(&state, .engine(.traffic(.providerAdded(peer: PeerID(2), name: "search", at: time(1)))))
        _ = reduce(&state, .engine(.traffic(.providerAdded(peer: PeerID(2), name: "zeta", at: time(1)))))
        press(&state, .tab)  // Calls → Providers; the first row is bob's search
        return state
    }

    @Test("Space switches the selected remote provider off and on; the broker is told each time")
    func toggles() {
        var state = steeringState()
        #expect(state.focus == .providers)
        #expect(work(press(&state, .character(" "))) == [.switchProvider(peer: PeerID(2), name: "search", off: true)])
        #expect(state.providers.remote.map(\.isSwitchedOff) == [true, false])
        #expect(state.notice?.text == "Switched search of #2 bob off: its requests are rejected on its behalf (Space switches it on)")
        press(&state, .character("i"))
        #expect(state.providerDetailLines.map(\.description).contains("Switched off: its requests are rejected on its behalf (Space switches it on)"))
        press(&state, .escape)
        #expect(work(press(&state, .character(" "))) == [.switchProvider(peer: PeerID(2), name: "search", off: false)])
        #expect(state.providers.remote.map(\.isSwitchedOff) == [false, false])
        #expect(state.notice?.text == "Switched search of #2 bob on again")
    }

    @Test("A switched-off registration that goes away takes its switch along")
    func rowGoes() {
        var state = steeringState()
        press(&state, .character(" "))
        _ = reduce(&state, .engine(.traffic(.providerRemoved(peer: PeerID(2), name: "search", at: time(2)))))
        _ = reduce(&state, .engine(.traffic(.providerAdded(peer: PeerID(2), name: "search", at: time(3)))))
        #expect(state.providers.remote.map(\.isSwitchedOff) == [false, false], "a new registration is on")
    }

    @Test("A call rejected on the provider's behalf says so in its row and timeline")
    func timeline() {
        var state = steeringState()
        _ = reduce(&state, brokerCall("c1", "search", peer: 3, .requested(data: nil), at: time(4)))
        _ = reduce(&state, brokerCall("c1", "search", peer: 3, .steered(rule: 0, action: "switched-off", detail: nil), at: time(4)))
        _ = reduce(&state, brokerCall("c1", "search", peer: 3, .rejected(by: PeerID(2)), at: time(4)))
        _ = reduce(&state, brokerCall("c1", "search", peer: 3, .failed(reason: .noRPCProvider), at: time(4)))
        let record = try! #require(state.calls.log.lastSequence.flatMap { state.calls.log[sequence: $0] })
        #expect(record.steering == "rejected on the provider's behalf: switched off in the console")
        #expect(CallRowFormatter(width: 118).row(record, route: "#3 → #2").description.contains("⚑"))
    }
}
