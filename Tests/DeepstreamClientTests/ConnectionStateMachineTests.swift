import DeepstreamClient
import DeepstreamProtocol
import Testing

/// The pure connection state machine, driven with explicit times (no sockets, no sleeping).
@Suite("ConnectionStateMachine")
struct ConnectionStateMachineTests {
    static let url = try! ServerURL(parsing: "localhost:6020")

    static func options() -> ClientOptions {
        var options = ClientOptions()
        options.heartbeatInterval = .milliseconds(100)
        options.reconnectIntervalIncrement = .seconds(4)
        options.maxReconnectInterval = .seconds(10)
        options.maxReconnectAttempts = 5
        options.offlineBufferTimeout = .seconds(2)
        options.sdkVersion = "9.9.9"
        return options
    }

    /// A machine that has logged in at t = 0.
    static func open() -> ConnectionStateMachine {
        var m = ConnectionStateMachine(url: url, options: options())
        _ = m.on(.login(authData: [:]), now: .zero)
        _ = m.on(.socketOpened, now: .zero)
        _ = m.on(.received(.accept), now: .zero)
        _ = m.on(.received(.auth(AuthMessage(action: .authSuccessful))), now: .zero)
        return m
    }

    @Test("handshake: open socket, CHALLENGE with the spec's fields, AUTH REQUEST on ACCEPT, OPEN with clientData")
    func handshake() {
        var m = ConnectionStateMachine(url: Self.url, options: Self.options())
        #expect(m.on(.login(authData: ["username": "u"]), now: .zero) == [
            .stateChanged(from: .closed, to: .awaitingConnection), .openSocket(Self.url),
        ])
        #expect(m.on(.socketOpened, now: .zero) == [
            .armTimer(.heartbeat, after: .milliseconds(100)),
            .send(.connection(ConnectionMessage(
                action: .challenge, url: "ws://localhost:6020/deepstream", protocolVersion: "0.1a",
                sdkVersion: "9.9.9", sdkType: "swift"))),
            .stateChanged(from: .awaitingConnection, to: .challenging),
        ])
        #expect(m.on(.received(.accept), now: .zero) == [
            .stateChanged(from: .challenging, to: .awaitingAuthentication),
            .send(.auth(AuthMessage(action: .request, data: #"{"username":"u"}"#))),
            .stateChanged(from: .awaitingAuthentication, to: .authenticating),
        ])
        #expect(m.on(.received(.auth(AuthMessage(action: .authSuccessful, data: #"{"a":1}"#))), now: .zero) == [
            .cancelTimer(.offlineBuffer),
            .stateChanged(from: .authenticating, to: .open),
            .loggedIn(clientData: ["a": 1], completesLogin: true),
        ])
        #expect(m.state == .open)
    }

    @Test("heartbeat: PING while frames arrive; more than 2 × interval of silence closes and reconnects")
    func heartbeat() {
        var m = Self.open()
        #expect(m.on(.timerFired(.heartbeat), now: .milliseconds(100)) == [
            .send(.ping), .armTimer(.heartbeat, after: .milliseconds(100)),
        ])
        _ = m.on(.received(.pong), now: .milliseconds(110))
        #expect(m.on(.timerFired(.heartbeat), now: .milliseconds(300)) == [
            .send(.ping), .armTimer(.heartbeat, after: .milliseconds(100)),
        ])
        let out = m.on(.timerFired(.heartbeat), now: .milliseconds(311))
        #expect(out.first == .error(kind: "HEARTBEAT_TIMEOUT", message: "nothing received for more than 0.2 seconds"))
        #expect(out.contains(.closeSocket))
        #expect(out.contains(.connectionLost))
        #expect(out.contains(.armTimer(.offlineBuffer, after: .seconds(2))))
        #expect(out.contains(.armTimer(.reconnect, after: .zero)))
        #expect(m.state == .reconnecting)
        #expect(m.isBufferingOffline)
        // The dropped socket is not reported again.
        #expect(m.on(.socketClosed(reason: "late"), now: .milliseconds(320)).isEmpty)
    }

    @Test("reconnect backoff: 0, 4, 8, 10 (capped), 10 s, then MAX_RECONNECTION_ATTEMPTS_REACHED and CLOSED")
    func backoff() {
        var m = Self.open()
        var delays: [Duration] = []
        var out = m.on(.socketClosed(reason: "gone"), now: .zero)
        for _ in 0..<6 {
            guard let delay = out.compactMap({ if case .armTimer(.reconnect, let d) = $0 { d } else { nil } }).first else { break }
            delays.append(delay)
            #expect(m.on(.timerFired(.reconnect), now: .zero) == [.openSocket(Self.url)])
            out = m.on(.socketClosed(reason: "refused"), now: .zero)
        }
        #expect(delays == [.zero, .seconds(4), .seconds(8), .seconds(10), .seconds(10)])
        #expect(out.contains(.error(kind: "MAX_RECONNECTION_ATTEMPTS_REACHED", message: "gave up after 5 attempts")))
        #expect(out.contains(.stopped(.closed)))
        #expect(m.state == .closed)
    }

    @Test("a socket open resets the attempt counter; re-login uses the session's auth data")
    func reloginAfterReconnect() {
        var m = Self.open()
        _ = m.on(.socketClosed(reason: "gone"), now: .zero)
        _ = m.on(.timerFired(.reconnect), now: .zero)
        _ = m.on(.socketOpened, now: .zero)
        #expect(m.reconnectAttempt == 0)
        let out = m.on(.received(.accept), now: .zero)
        #expect(out.contains(.send(.auth(AuthMessage(action: .request, data: "{}")))))
        let done = m.on(.received(.auth(AuthMessage(action: .authSuccessful))), now: .zero)
        #expect(done.contains(.loggedIn(clientData: nil, completesLogin: false)))
        #expect(!m.isBufferingOffline)
    }

    @Test("offline buffer window expires by timer")
    func offlineBuffer() {
        var m = Self.open()
        _ = m.on(.socketClosed(reason: "gone"), now: .zero)
        #expect(m.isBufferingOffline)
        #expect(m.on(.timerFired(.offlineBuffer), now: .seconds(2)) == [.offlineBufferExpired])
        #expect(!m.isBufferingOffline)
        #expect(m.on(.timerFired(.offlineBuffer), now: .seconds(3)).isEmpty)
    }

    @Test("failed re-login after a reconnect is reported as reauthenticationFailure")
    func reauthFailure() {
        var m = Self.open()
        _ = m.on(.socketClosed(reason: "gone"), now: .zero)
        _ = m.on(.timerFired(.reconnect), now: .zero)
        _ = m.on(.socketOpened, now: .zero)
        _ = m.on(.received(.accept), now: .zero)
        let out = m.on(.received(.auth(AuthMessage(action: .authUnsuccessful))), now: .zero)
        #expect(out.contains(.error(kind: "reauthenticationFailure", message: "AUTH_UNSUCCESSFUL")))
        #expect(m.state == .awaitingAuthentication)
    }

    @Test("terminal replies: TOO_MANY_AUTH_ATTEMPTS, AUTHENTICATION_TIMEOUT, REJECT stop without reconnect")
    func terminal() {
        for (reply, state, error) in [
            (Message.auth(AuthMessage(action: .tooManyAuthAttempts)), ConnectionState.tooManyAuthAttempts, LoginError.tooManyAuthAttempts),
            (.connection(ConnectionMessage(action: .authenticationTimeout)), .authenticationTimeout, .authenticationTimeout),
            (.connection(ConnectionMessage(action: .reject)), .challengeDenied, .challengeDenied),
        ] {
            var m = ConnectionStateMachine(url: Self.url, options: Self.options())
            _ = m.on(.login(authData: [:]), now: .zero)
            _ = m.on(.socketOpened, now: .zero)
            if state != .challengeDenied { _ = m.on(.received(.accept), now: .zero) }
            let out = m.on(.received(reply), now: .zero)
            #expect(out.contains(.loginFailed(error)))
            #expect(out.contains(.closeSocket))
            #expect(out.contains(.stopped(state)))
            #expect(!out.contains { if case .armTimer = $0 { true } else { false } })
            #expect(m.state == state)
            #expect(m.isTerminal)
            #expect(m.on(.login(authData: [:]), now: .zero) == [.loginFailed(.closed(state))])
        }
    }

    @Test("REDIRECT reconnects to the given URL")
    func redirect() {
        var m = ConnectionStateMachine(url: Self.url, options: Self.options())
        _ = m.on(.login(authData: [:]), now: .zero)
        _ = m.on(.socketOpened, now: .zero)
        let out = m.on(.received(.connection(ConnectionMessage(action: .redirect, url: "ws://other:7000/deepstream"))), now: .zero)
        let target = try! ServerURL(parsing: "ws://other:7000/deepstream")
        #expect(out.contains(.openSocket(target)))
        #expect(m.state == .redirecting)
        #expect(m.currentURL == target)
    }

    @Test("close from any state: CLOSING then CLOSED, pending login fails, timers cancelled")
    func close() {
        var m = ConnectionStateMachine(url: Self.url, options: Self.options())
        _ = m.on(.login(authData: [:]), now: .zero)
        let out = m.on(.close, now: .zero)
        #expect(out.first == .stateChanged(from: .awaitingConnection, to: .closing))
        #expect(out.contains(.closeSocket))
        #expect(out.contains(.loginFailed(.closed(.closed))))
        #expect(out.contains(.cancelTimer(.heartbeat)))
        #expect(out.last == .stopped(.closed))
        #expect(m.state == .closed)
        #expect(m.on(.close, now: .zero).isEmpty)
        // A socket that opens after close is dropped.
        #expect(m.on(.socketOpened, now: .zero) == [.closeSocket])
    }
}
