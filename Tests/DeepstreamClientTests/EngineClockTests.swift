import DeepstreamClient
import DeepstreamProtocol
import Testing

/// The engine's timers run on the injected clock: the JS client's default intervals, 50× faster.
@Suite("ClientEngine with an injected clock")
struct EngineClockTests {
    @Test("default options: PING every 30 s and reconnects at 0, 4, 8, 12, 16 s, then give up (virtual time)")
    func defaultsOnScaledClock() async throws {
        let peer = TestPeer()
        let port = try await peer.start()
        let clock = ScaledClock(factor: 50)
        let engine = try ClientEngine(
            url: "127.0.0.1:\(port)", clock: clock,
            timestamp: { Timestamp(nanoseconds: UInt64(clock.now.offset.components.seconds) * 1_000_000_000
                + UInt64(clock.now.offset.components.attoseconds / 1_000_000_000)) })
        let events = EventRecorder(engine)
        try await engine.login()
        // Two heartbeats of 30 s each, answered.
        try await events.waitForCount(2, "PONG", timeout: .seconds(5)) {
            if case .frame(.inbound, .connection(let m)?, _, _) = $0 { m.action == .pong } else { false }
        }
        let pings = await events.events.compactMap { event -> Timestamp? in
            if case .frame(.outbound, .connection(let m)?, _, let at) = event, m.action == .ping { at } else { nil }
        }
        #expect(pings.count >= 2)
        let period = pings[1].since(pings[0])
        #expect(period >= .seconds(29) && period <= .seconds(35))

        await peer.stop()
        try await events.waitForError("MAX_RECONNECTION_ATTEMPTS_REACHED", timeout: .seconds(5))
        let failures = await events.events.compactMap { event -> Timestamp? in
            if case .error("CONNECTION_ERROR", _, let at) = event { at } else { nil }
        }
        // The loss itself, then the five attempts.
        #expect(failures.count == 6)
        let gaps = zip(failures.dropFirst(), failures).map { $0.since($1) }
        for (gap, expected) in zip(gaps, [0, 4, 8, 12, 16]) {
            #expect(gap >= .seconds(expected) && gap < .seconds(expected) + .seconds(3), "gap \(gap), expected \(expected) s")
        }
        #expect(await engine.state == .closed)
    }
}
