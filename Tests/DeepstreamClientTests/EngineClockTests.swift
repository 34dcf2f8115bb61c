import DeepstreamClient
import DeepstreamProtocol
import TestSupport
import Testing

/// The engine's timers run on the injected clock: the JS client's default intervals on a manual clock,
/// so the test moves time itself and the figures are exact.
@Suite("ClientEngine with an injected clock")
struct EngineClockTests {
    static func nanoseconds(_ duration: Duration) -> UInt64 {
        UInt64(duration.components.seconds) * 1_000_000_000 + UInt64(duration.components.attoseconds / 1_000_000_000)
    }

    @Test("default options: PING every 30 s and reconnects at 0, 4, 8, 12, 16 s, then give up (manual time)")
    func defaultsOnManualClock() async throws {
        let peer = TestPeer()
        let port = try await peer.start()
        let clock = ManualClock()
        let engine = try ClientEngine(
            url: "127.0.0.1:\(port)", clock: clock,
            timestamp: { Timestamp(nanoseconds: Self.nanoseconds(clock.now.offset)) })
        let events = EventRecorder(engine)
        try await engine.login()
        #expect(await engine.armedTimers == [.engine(.heartbeat)])
        // Two heartbeats of 30 s each, answered.
        for beat in 1...2 {
            #expect(await clock.waitForSleepers(1))
            #expect(clock.nextDeadline?.offset == .seconds(30 * beat))
            clock.advanceToNextDeadline()
            try await events.waitForCount(beat, "PONG") {
                if case .frame(.inbound, .connection(let m)?, _, _) = $0 { m.action == .pong } else { false }
            }
        }
        let pings = await events.events.compactMap { event -> Timestamp? in
            if case .frame(.outbound, .connection(let m)?, _, let at) = event, m.action == .ping { at } else { nil }
        }
        #expect(pings.map(\.nanoseconds) == [30, 60].map { Self.nanoseconds(.seconds($0)) })
        #expect(await !events.errorKinds.contains("HEARTBEAT_TIMEOUT"))

        await peer.stop()
        try await events.waitForState(.reconnecting)
        // Each round: wait until the engine is parked on its next timer (or gave up), then move time
        // to the earliest timer. Connection attempts run on real sockets in between and add no manual time.
        for _ in 0..<20 {
            if await events.errorKinds.contains("MAX_RECONNECTION_ATTEMPTS_REACHED") { break }
            // Parked = a reconnect is scheduled (no connection attempt in flight), so moving time cannot
            // overtake a real socket's answer.
            try await waitUntil("a scheduled reconnect or the end") {
                if await events.errorKinds.contains("MAX_RECONNECTION_ATTEMPTS_REACHED") { return true }
                guard clock.sleepers > 0 else { return false }
                return await engine.armedTimers.contains(.engine(.reconnect))
            }
            if await events.errorKinds.contains("MAX_RECONNECTION_ATTEMPTS_REACHED") { break }
            clock.advanceToNextDeadline()
        }
        try await events.waitForError("MAX_RECONNECTION_ATTEMPTS_REACHED")
        let failures = await events.events.compactMap { event -> Timestamp? in
            if case .error("CONNECTION_ERROR", _, let at) = event { at } else { nil }
        }
        // The loss itself at 60 s, then the five attempts.
        #expect(failures.map(\.nanoseconds) == [60, 60, 64, 72, 84, 100].map { Self.nanoseconds(.seconds($0)) })
        #expect(await engine.state == .closed)
        #expect(await engine.armedTimers.isEmpty)
        #expect(clock.sleepers == 0)
    }
}
