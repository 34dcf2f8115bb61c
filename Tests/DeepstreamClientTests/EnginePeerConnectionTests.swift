import DeepstreamClient
import DeepstreamProtocol
import TestSupport
import Testing

/// The engine's connection life cycle against the scripted peer over real sockets: login outcomes,
/// heartbeats, reconnects, the offline buffer, close.
@Suite("ClientEngine against the scripted peer: connection")
struct EnginePeerConnectionTests {
    @Test("login: wrong password is rejected, the right one returns clientData")
    func loginOutcomes() async throws {
        let peer = TestPeer()
        let port = try await peer.start()
        await peer.addUser("userB", password: "secretB", clientData: ["favouriteColor": "blue", "team": "b"])
        let engine = try ClientEngine(url: "127.0.0.1:\(port)", options: testOptions())
        let events = EventRecorder(engine)
        await #expect(throws: LoginError.rejected(reason: nil)) {
            try await engine.login(username: "userB", password: "wrong")
        }
        #expect(await engine.state == .awaitingAuthentication)
        let clientData = try await engine.login(username: "userB", password: "secretB")
        #expect(clientData == ["favouriteColor": "blue", "team": "b"])
        #expect(await engine.state == .open)
        await #expect(throws: LoginError.alreadyLoggedIn) { try await engine.login() }
        await #expect(throws: LoginError.invalidAuthData) { try await engine.login("not an object") }
        try await events.waitFor { if case .loggedIn(["favouriteColor": "blue", "team": "b"], _) = $0 { true } else { false } }
        #expect(await events.events.contains { if case .loginFailed(nil, _) = $0 { true } else { false } })
        let auths = await peer.messages.filter { if case .auth = $0 { true } else { false } }
        #expect(auths == [
            .auth(AuthMessage(action: .request, data: #"{"username":"userB","password":"wrong"}"#)),
            .auth(AuthMessage(action: .request, data: #"{"username":"userB","password":"secretB"}"#)),
        ])
        await engine.close()
        await peer.stop()
    }

    @Test("TOO_MANY_AUTH_ATTEMPTS is terminal: no reconnect, later logins fail")
    func tooManyAuthAttempts() async throws {
        let peer = TestPeer()
        let port = try await peer.start()
        await peer.setRefuseLogins(true)
        await peer.setMaxAuthAttempts(2)
        let engine = try ClientEngine(url: "127.0.0.1:\(port)", options: testOptions())
        let events = EventRecorder(engine)
        await #expect(throws: LoginError.rejected(reason: nil)) { try await engine.login(["username": "a"]) }
        await #expect(throws: LoginError.rejected(reason: nil)) { try await engine.login(["username": "a"]) }
        try await events.waitForState(.tooManyAuthAttempts)
        try await events.waitForError("TOO_MANY_AUTH_ATTEMPTS")
        await #expect(throws: LoginError.closed(.tooManyAuthAttempts)) { try await engine.login(["username": "a"]) }
        await #expect(throws: RPCError.clientOffline) { try await engine.make("x") }
        // Terminal and nothing armed: no timer can ever reconnect it.
        #expect(await engine.armedTimers.isEmpty)
        #expect(await peer.connectionCount == 1)
        #expect(await engine.state == .tooManyAuthAttempts)
        #expect(await !events.states.contains(.reconnecting))
        await peer.stop()
    }

    @Test("heartbeats: PING every interval; a silent peer is detected after 2 × interval and the engine reconnects (manual time)",
          .timeLimit(.minutes(1)))
    func heartbeatLoss() async throws {
        let peer = TestPeer()
        let port = try await peer.start()
        let clock = ManualClock()
        let engine = try ClientEngine(
            url: "127.0.0.1:\(port)", options: testOptions(heartbeat: .seconds(1)), clock: clock,
            timestamp: { Timestamp(nanoseconds: EngineClockTests.nanoseconds(clock.now.offset)) })
        let events = EventRecorder(engine)
        try await engine.login()
        // PINGs answered by PONGs keep the link up well past 2 × interval.
        for beat in 1...4 {
            #expect(await clock.waitForSleepers(1))
            clock.advanceToNextDeadline()
            try await events.waitForCount(beat, "PONG") {
                if case .frame(.inbound, .connection(let m)?, _, _) = $0 { m.action == .pong } else { false }
            }
        }
        #expect(clock.now.offset == .seconds(4))
        #expect(await !events.errorKinds.contains("HEARTBEAT_TIMEOUT"))
        #expect(await peer.messages.filter { $0 == .ping }.count == 4)
        // The peer goes silent after its last PONG at 4 s: detected between 2 × and 3 × the interval.
        await peer.setSilent(true)
        try await Self.advance(clock, until: "HEARTBEAT_TIMEOUT", whileParked: { await engine.state == .open }) {
            await events.errorKinds.contains("HEARTBEAT_TIMEOUT")
        }
        let detectedAt = await events.events.compactMap { event -> Timestamp? in
            if case .error("HEARTBEAT_TIMEOUT", _, let at) = event { at } else { nil }
        }.first
        let detection = try #require(detectedAt).nanoseconds - EngineClockTests.nanoseconds(.seconds(4))
        #expect(detection >= EngineClockTests.nanoseconds(.seconds(2)) && detection <= EngineClockTests.nanoseconds(.seconds(3)))
        try await events.waitForState(.reconnecting)
        // The peer comes back speaking (a restart drops the connection the engine may have opened to the
        // silent one): the engine reconnects and logs in again by itself. Time moves only while the engine
        // is not open and sleeps on the clock: mostly its reconnect timer, but also a connect or handshake
        // deadline when an attempt raced the peer's restart (waiting for `.reconnecting` alone could wait
        // for ever on a timeout that only manual time can end).
        await peer.stop()
        await peer.setSilent(false)
        try await peer.start(port: port)
        try await Self.advance(clock, until: "second OPEN", whileParked: { await engine.state != .open }) {
            await events.states.filter { $0 == .open }.count >= 2
        }
        #expect(await peer.connectionCount >= 2)
        #expect(await engine.state == .open)
        await engine.close()
        await peer.stop()
    }

    /// Moves the manual clock from timer to timer until `done` holds, each time only once the engine
    /// is parked on a timer (`parked` holds and something sleeps on the clock).
    static func advance(
        _ clock: ManualClock, until what: String, whileParked parked: @escaping @Sendable () async -> Bool,
        _ done: @escaping @Sendable () async -> Bool
    ) async throws {
        for _ in 0..<50 {
            if await done() { return }
            try await waitUntil("the engine parked on a timer, or \(what)") {
                if await done() { return true }
                guard clock.sleepers > 0 else { return false }
                return await parked()
            }
            if await done() { return }
            clock.advanceToNextDeadline()
        }
        throw TestTimeout(what: what)
    }

    @Test("reconnect: stop the peer, restart it on the same port; re-login, re-provide, buffered call goes through")
    func reconnectReprovide() async throws {
        let peer = TestPeer()
        let port = try await peer.start()
        let engine = try ClientEngine(url: "127.0.0.1:\(port)", options: testOptions(offlineBuffer: .seconds(3)))
        let events = EventRecorder(engine)
        try await engine.login(["username": "me"])
        let responses = ResponseBox()
        try await engine.provide("add-two-numbers") { data, response, _ in
            response.send(.int((data?["numA"]?.intValue ?? 0) + (data?["numB"]?.intValue ?? 0)))
        }
        try await engine.provide("hang") { _, response, _ in
            Task { await responses.put(response) }
        }
        try await events.waitForCount(2, "provide acks") { if case .providerAcknowledged(_, true, _) = $0 { true } else { false } }
        #expect(try await engine.make("add-two-numbers", data: ["numA": 1, "numB": 2]) == 3)
        let inFlight = Task { try await engine.make("hang") }
        let held = try await responses.take()

        await peer.stop()
        await #expect(throws: RPCError.clientOffline) { try await inFlight.value }
        try await events.waitForState(.reconnecting)
        try await events.waitForServed(.abandoned(reason: "client offline"))
        withExtendedLifetime(held) {}
        // Made while offline: buffered, sent after re-login.
        let buffered = Task { try await engine.make("add-two-numbers", data: ["numA": 4, "numB": 7]) }
        try await events.waitForOutgoing(.requested(data: #"{"numA":4,"numB":7}"#))
        try await peer.start(port: port)
        #expect(try await buffered.value == 11)
        #expect(await engine.state == .open)
        // The new connection re-sent the login and both names in one PROVIDE with counter 0.
        #expect(await peer.connectionCount == 2)
        let second = await peer.received.filter { $0.connection == 2 }.map(\.message)
        #expect(second.contains(.auth(AuthMessage(action: .request, data: #"{"username":"me"}"#))))
        #expect(second.contains(.rpc(RPCMessage(action: .provide, correlationId: "0", names: ["add-two-numbers", "hang"]))))
        #expect(try await engine.make("add-two-numbers", data: ["numA": 2, "numB": 2]) == 4)
        await engine.close()
        await peer.stop()
    }

    @Test("the server closes the socket: immediate reconnect (attempt 0 has no delay), re-login, calls work")
    func serverClosesSocket() async throws {
        let peer = TestPeer()
        let port = try await peer.start()
        let engine = try ClientEngine(url: "127.0.0.1:\(port)", options: testOptions(reconnectIncrement: .seconds(10)))
        let events = EventRecorder(engine)
        try await engine.provide("one") { _, r, _ in r.send(1) }
        try await engine.login()
        try await events.waitFor { if case .providerAcknowledged("one", true, _) = $0 { true } else { false } }
        await peer.closeAllConnections()
        try await events.waitForState(.reconnecting)
        try await events.waitForCount(2, "OPEN", timeout: .seconds(3)) { if case .stateChanged(_, .open, _) = $0 { true } else { false } }
        try await events.waitForCount(2, "provide acks") { if case .providerAcknowledged("one", true, _) = $0 { true } else { false } }
        #expect(try await engine.make("one") == 1)
        #expect(await peer.connectionCount == 2)
        await engine.close()
        await peer.stop()
    }

    @Test("offline buffer: calls made while reconnecting fail as client offline when the window ends (manual time)",
          .timeLimit(.minutes(1)))
    func offlineBufferExpires() async throws {
        let peer = TestPeer()
        let port = try await peer.start()
        let clock = ManualClock()
        let engine = try ClientEngine(
            url: "127.0.0.1:\(port)", options: testOptions(reconnectIncrement: .milliseconds(500), offlineBuffer: .seconds(1)),
            clock: clock)
        let events = EventRecorder(engine)
        try await engine.login()
        await peer.stop()
        try await events.waitForState(.reconnecting)
        let call = Task { try await engine.make("x", data: 1) }
        try await events.waitForOutgoing(.requested(data: "1"))
        #expect(await engine.armedTimers.contains(.engine(.offlineBuffer)))
        // Just before the window ends (a reconnect attempt at 500 ms fails meanwhile), the call still waits:
        // only the offline-buffer timer can end a buffered call.
        clock.advance(by: .milliseconds(999))
        #expect(await !events.outgoingSteps.contains(.abandoned(reason: "client offline")))
        clock.advance(by: .milliseconds(1))
        await #expect(throws: RPCError.clientOffline) { try await call.value }
        // After the window: fails at once, with the manual clock standing still.
        await #expect(throws: RPCError.clientOffline) { try await engine.make("x") }
        let requests = await peer.messages.filter { if case .rpc(let m) = $0 { m.action == .request } else { false } }
        #expect(requests.isEmpty)
        await engine.close()
    }

    @Test("reconnect gives up after maxReconnectAttempts with the JS backoff, then CLOSED")
    func maxReconnectAttempts() async throws {
        let peer = TestPeer()
        let port = try await peer.start()
        let engine = try ClientEngine(
            url: "127.0.0.1:\(port)", options: testOptions(reconnectIncrement: .milliseconds(30), maxAttempts: 3))
        let events = EventRecorder(engine)
        try await engine.login()
        await peer.stop()
        try await events.waitForError("MAX_RECONNECTION_ATTEMPTS_REACHED")
        try await events.waitForState(.closed)
        #expect(await engine.state == .closed)
        // Connect errors for each of the 3 attempts plus the original loss.
        #expect(await events.errorKinds.filter { $0 == "CONNECTION_ERROR" }.count == 4)
        await #expect(throws: RPCError.clientOffline) { try await engine.make("x") }
    }

    @Test("login waits through reconnects and fails with closed() when close() is called")
    func loginThenClose() async throws {
        let peer = TestPeer()
        let port = try await peer.start()
        await peer.stop()
        let engine = try ClientEngine(url: "127.0.0.1:\(port)", options: testOptions(reconnectIncrement: .milliseconds(100)))
        let events = EventRecorder(engine)
        let login = Task { try await engine.login() }
        try await events.waitForState(.reconnecting)
        await engine.close()
        await #expect(throws: LoginError.closed(.closed)) { try await login.value }
        // A later login connects again once the server is back.
        try await peer.start(port: port)
        try await engine.login()
        #expect(await engine.state == .open)
        await engine.close()
        #expect(await engine.state == .closed)
        await peer.stop()
    }

    @Test("cancelling a waiting login ends it with cancelled; a later login works")
    func cancelLogin() async throws {
        let peer = TestPeer()
        let port = try await peer.start()
        await peer.setScript { _, message in
            if case .auth = message { return .ignore }
            return nil
        }
        let engine = try ClientEngine(url: "127.0.0.1:\(port)", options: testOptions(heartbeat: .seconds(5)))
        let events = EventRecorder(engine)
        let login = Task { try await engine.login(["username": "slow"]) }
        try await events.waitForState(.authenticating)
        login.cancel()
        await #expect(throws: LoginError.cancelled) { try await login.value }
        await peer.setScript(nil)
        await engine.close()
        try await engine.login()
        #expect(await engine.state == .open)
        await engine.close()
        await peer.stop()
    }

    @Test("close() fails in-flight calls as client offline and closes the socket")
    func closeFailsCalls() async throws {
        let peer = TestPeer()
        let port = try await peer.start()
        await peer.setScript { _, message in
            if case .rpc(let m) = message, m.action == .request { return .ignore }
            return nil
        }
        let engine = try ClientEngine(url: "127.0.0.1:\(port)", options: testOptions())
        let events = EventRecorder(engine)
        try await engine.login()
        let call = Task { try await engine.make("x") }
        try await events.waitFor { if case .frame(.outbound, .rpc? , _, _) = $0 { true } else { false } }
        await engine.close()
        await #expect(throws: RPCError.clientOffline) { try await call.value }
        try await events.waitForState(.closed)
        #expect(await events.states.suffix(2) == [.closing, .closed])
        await peer.stop()
    }

    @Test("relay: another source's traffic events come out of the engine's stream")
    func relay() async throws {
        let engine = try ClientEngine(url: "127.0.0.1:1")
        let events = EventRecorder(engine)
        let (stream, continuation) = AsyncStream.makeStream(of: TrafficEvent.self)
        await engine.relay(stream)
        let event = TrafficEvent.providerAdded(peer: PeerID(3), name: "x", at: Timestamp(nanoseconds: 5))
        continuation.yield(event)
        try await events.waitFor { $0 == .traffic(event) }
        continuation.finish()
    }

    @Test("URLs: host:port means ws://host:port/deepstream; other schemes are refused")
    func urls() throws {
        #expect(try ServerURL(parsing: "localhost:6020").description == "ws://localhost:6020/deepstream")
        #expect(try ServerURL(parsing: "wss://example.com").description == "wss://example.com:443/deepstream")
        #expect(try ServerURL(parsing: "ws://[::1]:7000/x").description == "ws://[::1]:7000/x")
        #expect(try ServerURL(parsing: "127.0.0.1:6020", defaultPath: "/other").path == "/other")
        #expect(throws: ServerURL.ParseError.unsupportedScheme("http")) { try ServerURL(parsing: "http://x:1") }
        #expect(throws: ServerURL.ParseError.invalidPort("99999")) { try ServerURL(parsing: "x:99999") }
        #expect(throws: ServerURL.ParseError.missingHost) { try ServerURL(parsing: "ws://:80") }
    }
}
