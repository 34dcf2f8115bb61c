import DeepstreamClient
import DeepstreamProtocol

/// Collects an engine's events so tests can wait for one and inspect the history.
actor EventRecorder {
    private(set) var events: [EngineEvent] = []
    private var task: Task<Void, Never>?

    init(_ engine: ClientEngine) {
        let stream = engine.events(bufferingNewest: 100_000)
        Task { await self.consume(stream) }
    }

    private func consume(_ stream: AsyncStream<EngineEvent>) async {
        for await event in stream { events.append(event) }
    }

    /// Waits until an event matches (polling every 5 ms, at most `timeout`) and returns it.
    @discardableResult
    func waitFor(
        _ what: String = "event", timeout: Duration = .seconds(5), _ predicate: @Sendable (EngineEvent) -> Bool
    ) async throws -> EngineEvent {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let hit = events.first(where: predicate) { return hit }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw TestTimeout(what: what)
    }

    /// Waits until `count` events match.
    func waitForCount(
        _ count: Int, _ what: String, timeout: Duration = .seconds(5), _ predicate: @Sendable (EngineEvent) -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if events.filter(predicate).count >= count { return }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw TestTimeout(what: "\(count) × \(what)")
    }

    /// Waits for an outgoing call step.
    func waitForOutgoing(_ step: CallStep) async throws {
        try await waitFor("outgoing \(step)") { if case .outgoingCall(let e) = $0 { e.step == step } else { false } }
    }

    /// Waits for a served call step.
    func waitForServed(_ step: CallStep) async throws {
        try await waitFor("served \(step)") { if case .servedCall(let e, _) = $0 { e.step == step } else { false } }
    }

    /// Waits for a state.
    func waitForState(_ state: ConnectionState, timeout: Duration = .seconds(5)) async throws {
        try await waitFor("state \(state)", timeout: timeout) {
            if case .stateChanged(_, let to, _) = $0 { to == state } else { false }
        }
    }

    /// Waits for an error event of `kind`.
    func waitForError(_ kind: String, timeout: Duration = .seconds(5)) async throws {
        try await waitFor("error \(kind)", timeout: timeout) {
            if case .error(let k, _, _) = $0 { k == kind } else { false }
        }
    }

    /// The state changes so far, as target states.
    var states: [ConnectionState] {
        events.compactMap { if case .stateChanged(_, let to, _) = $0 { return to } else { return nil } }
    }

    /// Error kinds so far.
    var errorKinds: [String] {
        events.compactMap { if case .error(let kind, _, _) = $0 { return kind } else { return nil } }
    }

    /// Outgoing call steps so far, in order.
    var outgoingSteps: [CallStep] {
        events.compactMap { if case .outgoingCall(let e) = $0 { return e.step } else { return nil } }
    }

    /// Served call steps so far, in order.
    var servedSteps: [CallStep] {
        events.compactMap { if case .servedCall(let e, _) = $0 { return e.step } else { return nil } }
    }

    /// Outbound messages so far.
    var sent: [Message] {
        events.compactMap {
            if case .frame(.outbound, let m?, _, _) = $0 { return m } else { return nil }
        }
    }
}

/// Options with short timers for tests.
func testOptions(
    heartbeat: Duration = .seconds(1), reconnectIncrement: Duration = .milliseconds(50),
    maxAttempts: Int = 5, offlineBuffer: Duration = .milliseconds(500), batch: Duration = .milliseconds(20)
) -> ClientOptions {
    var options = ClientOptions()
    options.heartbeatInterval = heartbeat
    options.reconnectIntervalIncrement = reconnectIncrement
    options.maxReconnectInterval = .seconds(1)
    options.maxReconnectAttempts = maxAttempts
    options.offlineBufferTimeout = offlineBuffer
    options.subscriptionInterval = batch
    options.connectTimeout = .seconds(2)
    return options
}

/// Waits until `condition` holds (checking every 2 ms, at most `timeout`): synchronisation on an
/// observable condition instead of a guessed sleep.
func waitUntil(
    _ what: String, timeout: Duration = .seconds(5), _ condition: @Sendable () async -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if await condition() { return }
        try await Task.sleep(for: .milliseconds(2))
    }
    throw TestTimeout(what: what)
}
