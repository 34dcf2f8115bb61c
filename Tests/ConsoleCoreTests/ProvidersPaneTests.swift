import ConsoleCore
import DeepstreamProtocol
import Testing

@Suite("Providers pane: own providers, toggling, adding, remote providers")
struct ProvidersPaneTests {
    func providersState() -> ConsoleState {
        var state = makeState()
        press(&state, .tab)
        return state
    }

    @Test func loadedProvidersAreProvidedAndAcknowledged() {
        var state = providersState()
        let effects = reduce(&state, .ownProvidersLoaded([
            OwnProviderSpec(name: "echo", behaviour: "echo"),
            OwnProviderSpec(name: "later", behaviour: "fixed 1", provideAtStart: false),
        ]))
        #expect(work(effects) == [.provide(name: "echo")])
        #expect(state.providers.own.map(\.registration) == [.providing, .unprovided])
        _ = reduce(&state, .engine(.providerAcknowledged(name: "echo", provided: true, at: time(0))))
        #expect(state.providers.own[0].registration == .provided)
    }

    @Test func aRecordedProviderIsMarkedRecAndItsDetailNamesTheRecording() {
        var state = providersState()
        let effects = reduce(&state, .ownProvidersLoaded([
            OwnProviderSpec(name: "echo", behaviour: "echo"),
            OwnProviderSpec(name: "greet", behaviour: "3 recorded calls, match data", recording: "calls.jsonl"),
        ]))
        #expect(work(effects) == [.provide(name: "echo"), .provide(name: "greet")])
        #expect(state.providers.own.map(\.info) == ["echo", "rec 3 recorded calls, match data"])
        #expect(state.providers.own.map(\.recording) == [nil, "calls.jsonl"])
        press(&state, .character("j"), .character("i"))
        let text = state.providerDetailLines.map(\.description)
        #expect(text.contains { $0.contains("provider answering from the recording calls.jsonl") }, "\(text)")
        // Space toggles it like any own provider.
        press(&state, .escape)
        _ = reduce(&state, .engine(.providerAcknowledged(name: "greet", provided: true, at: time(0))))
        #expect(work(press(&state, .character(" "))) == [.unprovide(name: "greet")])
    }

    @Test func thePromptTakesARecordingWithAnAt() {
        var state = providersState()
        _ = reduce(&state, .ownProvidersLoaded([OwnProviderSpec(name: "echo", behaviour: "echo")]))
        press(&state, .character("a"))
        type(&state, "@ calls.jsonl ")
        #expect(work(press(&state, .enter)) == [.loadRecordedProviders(path: "calls.jsonl")])
        #expect(state.overlay == nil)
        let effects = reduce(&state, .recordedProvidersLoaded(
            path: "calls.jsonl", specs: [OwnProviderSpec(name: "greet", behaviour: "2 recorded calls, match data", recording: "calls.jsonl")],
            skipped: ["echo"]))
        #expect(work(effects) == [.provide(name: "greet")])
        #expect(state.providers.own.map(\.info) == ["echo", "rec 2 recorded calls, match data"])
        #expect(state.notice?.text == "Providing 1 recorded RPC from calls.jsonl (skipped, already own providers: echo)")
        // A bare @ reopens the prompt with the problem; a bad file comes back the same way.
        press(&state, .character("a"))
        type(&state, "@")
        #expect(work(press(&state, .enter)).isEmpty)
        #expect(state.promptError == "@ needs a recording file, e.g. @calls.jsonl")
        press(&state, .escape)
        _ = reduce(&state, .ownProviderRejected(name: "@bad.jsonl", message: "bad.jsonl: line 2: not JSON", input: "@bad.jsonl"))
        #expect(state.notice?.text == "Provider @bad.jsonl: bad.jsonl: line 2: not JSON")
        guard case .addProvider(let editor) = state.overlay else { Issue.record("the prompt should reopen"); return }
        #expect(editor.text == "@bad.jsonl")
    }

    @Test func spaceTogglesProvideAndUnprovide() {
        var state = providersState()
        _ = reduce(&state, .ownProvidersLoaded([
            OwnProviderSpec(name: "a", behaviour: "echo"), OwnProviderSpec(name: "b", behaviour: "echo", provideAtStart: false),
        ]))
        _ = reduce(&state, .engine(.providerAcknowledged(name: "a", provided: true, at: time(0))))
        #expect(work(press(&state, .character(" "))) == [.unprovide(name: "a")])
        #expect(state.providers.own[0].registration == .unproviding)
        _ = reduce(&state, .engine(.providerAcknowledged(name: "a", provided: false, at: time(0))))
        #expect(state.providers.own[0].registration == .unprovided)
        #expect(work(press(&state, .character(" "))) == [.provide(name: "a")])
        press(&state, .character("j"))
        #expect(work(press(&state, .character(" "))) == [.provide(name: "b")])
    }

    @Test func refusedProviderShowsTheReasonAndCanBeRetried() {
        var state = providersState()
        _ = reduce(&state, .ownProvidersLoaded([OwnProviderSpec(name: "a", behaviour: "echo")]))
        _ = reduce(&state, .engine(.providerRefused(name: "a", reason: .messageDenied, at: time(0))))
        #expect(state.providers.own[0].registration == .refused(.messageDenied))
        #expect(state.providers.own[0].registration.label == "refused: MESSAGE_DENIED")
        #expect(state.notice?.text == "Cannot provide a: MESSAGE_DENIED")
        #expect(work(press(&state, .character(" "))) == [.provide(name: "a")])
    }

    @Test func addPromptRegistersAProvider() {
        var state = providersState()
        press(&state, .character("a"))
        #expect(state.activeContexts.first == .prompt)
        type(&state, "greet template Hello {{name}}")
        let effects = work(press(&state, .enter))
        #expect(effects == [.registerProvider(name: "greet", behaviour: "template Hello {{name}}")])
        #expect(state.overlay == nil)
        let provided = work(reduce(&state, .ownProviderRegistered(OwnProviderSpec(name: "greet", behaviour: "template Hello {{name}}"))))
        #expect(provided == [.provide(name: "greet")])
        #expect(state.providers.own.map(\.name) == ["greet"])
        // A bare name defaults to echo; a duplicate name is refused; Esc cancels.
        press(&state, .character("a"))
        type(&state, "solo")
        #expect(work(press(&state, .enter)) == [.registerProvider(name: "solo", behaviour: "echo")])
        press(&state, .character("a"))
        type(&state, "greet echo")
        #expect(work(press(&state, .enter)).isEmpty)
        #expect(state.notice?.text == "Provider greet already exists")
        press(&state, .character("a"))
        type(&state, "x")
        press(&state, .escape)
        #expect(state.overlay == nil)
        _ = reduce(&state, .ownProviderRejected(name: "solo", message: "unknown behaviour"))
        #expect(state.notice?.text == "Provider solo: unknown behaviour")
    }

    /// Serves two calls to our provider `add` (5 ms and 12 ms).
    func serveTwoCalls(_ state: inout ConsoleState) {
        for (index, ms) in [(0, 5), (1, 12)] {
            let id = CallID(requestor: nil, correlationId: "s\(index)")
            let requestor = RequestorDetails(name: "alice", data: nil)
            _ = reduce(&state, .engine(.servedCall(CallEvent(call: id, name: "add", step: .requested(data: "1"), at: time(index)), requestor: requestor)))
            _ = reduce(&state, .engine(.servedCall(CallEvent(call: id, name: "add", step: .responded(data: "1"), at: time(index, ms: ms)), requestor: requestor)))
        }
    }

    @Test func onTheEmbeddedBrokerServedCallsCountButTheBrokerRowsStandForThem() {
        var state = providersState()
        _ = reduce(&state, .ownProvidersLoaded([OwnProviderSpec(name: "add", behaviour: "echo")]))
        serveTwoCalls(&state)
        #expect(state.providers.own[0].callCount == 2)
        #expect(state.providers.own[0].lastLatency == .milliseconds(12))
        #expect(state.calls.log.count == 0)
        _ = reduce(&state, .engine(.outgoingCall(CallEvent(call: CallID(requestor: nil, correlationId: "o1"), name: "add", step: .requested(data: "1"), at: time(3)))))
        #expect(state.calls.log.count == 0)
    }

    @Test func servedCallsCountPerProviderWithLastLatency() {
        var state = makeState(embedded: false)
        press(&state, .tab)
        _ = reduce(&state, .ownProvidersLoaded([OwnProviderSpec(name: "add", behaviour: "echo")]))
        for (index, ms) in [(0, 5), (1, 12)] {
            let id = CallID(requestor: nil, correlationId: "s\(index)")
            let requestor = RequestorDetails(name: "alice", data: nil)
            _ = reduce(&state, .engine(.servedCall(CallEvent(call: id, name: "add", step: .requested(data: "1"), at: time(index)), requestor: requestor)))
            _ = reduce(&state, .engine(.servedCall(CallEvent(call: id, name: "add", step: .responded(data: "1"), at: time(index, ms: ms)), requestor: requestor)))
        }
        #expect(state.providers.own[0].callCount == 2)
        #expect(state.providers.own[0].lastLatency == .milliseconds(12))
        let row = try! #require(state.calls.selectedRecord)
        #expect(state.route(of: row) == "alice → me")
    }

    @Test func remoteProvidersComeFromBrokerTraffic() {
        var state = providersState()
        _ = reduce(&state, .ownProvidersLoaded([OwnProviderSpec(name: "mine", behaviour: "echo")]))
        _ = reduce(&state, .engine(.traffic(.connected(peer: PeerID(2), remoteAddress: "127.0.0.1:5000", format: .binary, at: time(0)))))
        _ = reduce(&state, .engine(.traffic(.loggedIn(peer: PeerID(2), user: "bob", clientData: nil, at: time(0)))))
        _ = reduce(&state, .engine(.traffic(.providerAdded(peer: PeerID(2), name: "zeta", at: time(1)))))
        _ = reduce(&state, .engine(.traffic(.providerAdded(peer: PeerID(2), name: "alpha", at: time(1)))))
        _ = reduce(&state, .engine(.traffic(.providerAdded(peer: PeerID(3), name: "alpha", at: time(1)))))
        _ = reduce(&state, .engine(.traffic(.providerAdded(peer: PeerID(3), name: "alpha", at: time(1)))))
        #expect(state.providers.remote.map { "\($0.name)@\($0.peer)" } == ["alpha@#2", "alpha@#3", "zeta@#2"])
        #expect(state.peerLabel(PeerID(2)) == "#2 bob")
        #expect(state.providers.rows == [.own(0), .remote(0), .remote(1), .remote(2)])
        // Remote rows can only be switched off on the console's own broker (SwitchOffTests).
        press(&state, .character("j"))
        #expect(work(press(&state, .character(" "))).isEmpty)
        #expect(state.notice?.text == "Other clients' providers can be switched off only on the console's embedded broker or proxy")
        _ = reduce(&state, .engine(.traffic(.providerRemoved(peer: PeerID(3), name: "alpha", at: time(2)))))
        #expect(state.providers.remote.map(\.name) == ["alpha", "zeta"])
        _ = reduce(&state, .engine(.traffic(.disconnected(peer: PeerID(2), reason: "client closed", at: time(3)))))
        #expect(state.providers.remote.isEmpty)
        #expect(state.providers.selection == 0)
        // The name stays known for old call rows.
        #expect(state.peerLabel(PeerID(2)) == "#2 bob")
    }

    @Test func enterComposesACallToTheSelectedProvider() {
        var state = providersState()
        _ = reduce(&state, .engine(.traffic(.providerAdded(peer: PeerID(2), name: "math.add", at: time(1)))))
        press(&state, .enter)
        #expect(state.focus == .composer)
        #expect(state.composer.field == .body)
        #expect(state.composer.name.text == "math.add")
    }
}
