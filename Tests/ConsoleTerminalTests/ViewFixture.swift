import ConsoleCore
import ConsoleTerminal
import DeepstreamProtocol

/// A prepared console state for view snapshots: own and remote providers, a few broker calls in
/// different states, a composer with a request.
enum ViewFixture {
    static func at(_ milliseconds: Int) -> Timestamp {
        // 1764000000 s is 16:00:00 UTC.
        Timestamp(nanoseconds: 1_764_000_000_000_000_000 + UInt64(milliseconds) * 1_000_000)
    }

    static func call(_ cid: String, _ name: String, peer: UInt64, _ step: CallStep, at ms: Int) -> ConsoleAction {
        .engine(.traffic(.call(CallEvent(call: CallID(requestor: PeerID(peer), correlationId: cid), name: name, step: step, at: at(ms)))))
    }

    static func state(columns: Int = 100, rows: Int = 30) -> ConsoleState {
        var state = ConsoleState(
            configuration: ConsoleConfiguration(url: "ws://127.0.0.1:6020", user: "console", embeddedBroker: true),
            columns: columns, rows: rows)
        var actions: [ConsoleAction] = [
            .ownProvidersLoaded([
                OwnProviderSpec(name: "math.add", behaviour: "echo"),
                OwnProviderSpec(name: "greet", behaviour: "template", provideAtStart: false),
            ]),
            .engine(.stateChanged(from: .authenticating, to: .open, at: at(0))),
            .engine(.providerAcknowledged(name: "math.add", provided: true, at: at(0))),
            .engine(.traffic(.loggedIn(peer: PeerID(1), user: "console", clientData: nil, at: at(0)))),
            .engine(.traffic(.loggedIn(peer: PeerID(2), user: "bob", clientData: nil, at: at(0)))),
            .engine(.traffic(.loggedIn(peer: PeerID(3), user: "carol", clientData: nil, at: at(0)))),
            .engine(.traffic(.providerAdded(peer: PeerID(1), name: "math.add", at: at(0)))),
            .engine(.traffic(.providerAdded(peer: PeerID(2), name: "store.get", at: at(0)))),
            .engine(.traffic(.providerAdded(peer: PeerID(3), name: "store.get", at: at(0)))),
            call("k1", "math.add", peer: 2, .requested(data: "{\"a\":1,\"b\":2}"), at: 1000),
            call("k1", "math.add", peer: 2, .routed(to: PeerID(1)), at: 1001),
            call("k1", "math.add", peer: 2, .accepted(by: PeerID(1)), at: 1002),
            call("k1", "math.add", peer: 2, .responded(data: "3"), at: 1004),
            call("k2", "store.get", peer: 1, .requested(data: "\"key\""), at: 2000),
            call("k2", "store.get", peer: 1, .routed(to: PeerID(2)), at: 2001),
            call("k2", "store.get", peer: 1, .rejected(by: PeerID(2)), at: 2003),
            call("k2", "store.get", peer: 1, .routed(to: PeerID(3)), at: 2004),
            call("k2", "store.get", peer: 1, .accepted(by: PeerID(3)), at: 2010),
            call("k3", "nobody", peer: 3, .requested(data: nil), at: 3000),
            call("k3", "nobody", peer: 3, .failed(reason: .noRPCProvider), at: 3001),
            .tick(at(4000)),
        ]
        actions.append(.historyLoaded([ComposerHistoryEntry(name: "math.add", body: "{\"a\": 1, \"b\": 2}")]))
        for action in actions { _ = reduce(&state, action) }
        // Recall the history entry into the composer (without sending).
        _ = reduce(&state, .key(.character("c")))
        _ = reduce(&state, .key(.up))
        _ = reduce(&state, .key(.tab))
        return state
    }

    static func render(_ state: ConsoleState, columns: Int = 100, rows: Int = 30, theme: Theme = .dark) -> ScreenBuffer {
        var buffer = ScreenBuffer(width: columns, height: rows)
        ConsoleView.draw(state, into: &buffer, styles: ThemeStyles(theme: theme))
        return buffer
    }
}
