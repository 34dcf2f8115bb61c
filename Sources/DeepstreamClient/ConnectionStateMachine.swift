import DeepstreamProtocol

/// The connection and login life cycle of the JS client (spec §3.3, §3.4, §1.6) as a pure state
/// machine: it takes inputs with the current monotonic time and returns what the IO shell must do.
///
/// Contract with the shell: after the machine outputs ``Output/closeSocket`` the shell drops the
/// current socket and feeds no ``Input/socketClosed(reason:)`` for it; the machine has already
/// handled the loss. Every other socket end is reported exactly once.
package struct ConnectionStateMachine: Sendable {
    /// Something that happened.
    package enum Input: Hashable, Sendable {
        /// `login` was called with this auth data (the shell has checked that no login is pending).
        case login(authData: JSONValue)
        /// The socket requested by ``Output/openSocket(_:)`` is open.
        case socketOpened
        /// The socket closed or could not be opened.
        case socketClosed(reason: String)
        /// A CONNECTION or AUTH message arrived (other topics only refresh the liveness clock).
        case received(Message)
        /// A timer armed by ``Output/armTimer(_:after:)`` fired.
        case timerFired(EngineTimer)
        /// The caller stopped waiting for its `login`: a later answer no longer completes it.
        case cancelLogin
        /// `close()` was called.
        case close
    }

    /// Something the shell must do or report.
    package enum Output: Hashable, Sendable {
        /// Open a WebSocket to this URL; report ``Input/socketOpened`` or ``Input/socketClosed(reason:)``.
        case openSocket(ServerURL)
        /// Send one message.
        case send(Message)
        /// Drop the current socket (see the type's contract).
        case closeSocket
        /// Arm (or re-arm) a timer.
        case armTimer(EngineTimer, after: Duration)
        /// Cancel a timer.
        case cancelTimer(EngineTimer)
        /// The state changed.
        case stateChanged(from: ConnectionState, to: ConnectionState)
        /// Logged in (first login or re-login after a reconnect): resend provides, flush the offline
        /// buffer. `completesLogin` is true when a pending `login` call gets this result.
        case loggedIn(clientData: JSONValue?, completesLogin: Bool)
        /// The pending `login` call failed.
        case loginFailed(LoginError)
        /// An established (OPEN) connection was lost: fail in-flight calls; the offline buffer starts.
        case connectionLost
        /// The offline buffer window ended without a re-login: fail buffered calls.
        case offlineBufferExpired
        /// The engine stopped for good (closed or terminal): fail everything still waiting.
        case stopped(ConnectionState)
        /// An error event (`kind` is the deepstream event name).
        case error(kind: String, message: String)
    }

    /// The current state.
    package private(set) var state: ConnectionState = .closed
    /// Whether calls made now are buffered (the offline buffer window after a loss).
    package private(set) var isBufferingOffline = false
    /// Reconnect attempts scheduled since the last socket open.
    package private(set) var reconnectAttempt = 0

    private var url: ServerURL
    private let options: ClientOptions
    private let sdkVersion: String
    /// Auth data of a `login` call still waiting for its answer.
    private var pendingLogin: JSONValue?
    /// Auth data of the last successful login, resent after a reconnect.
    private var sessionAuthData: JSONValue?
    /// Auth data sent in the AUTH REQUEST now awaiting its answer.
    private var authInFlight: JSONValue?
    private var socketIsOpen = false
    private var socketRequested = false
    private var lastReceived: Duration = .zero

    /// Creates a machine in state CLOSED.
    package init(url: ServerURL, options: ClientOptions) {
        self.url = url
        self.options = options
        self.sdkVersion = options.sdkVersion
    }

    /// The URL currently used (changes after a REDIRECT).
    package var currentURL: ServerURL { url }

    /// Whether the state is one the machine never leaves by itself.
    package var isTerminal: Bool {
        switch state {
        case .challengeDenied, .tooManyAuthAttempts, .authenticationTimeout: true
        default: false
        }
    }

    /// Feeds one input at monotonic time `now` and returns the actions, in order.
    package mutating func on(_ input: Input, now: Duration) -> [Output] {
        var out: [Output] = []
        switch input {
        case .login(let authData): login(authData, into: &out)
        case .socketOpened: socketOpened(now: now, into: &out)
        case .socketClosed(let reason): socketClosed(reason: reason, into: &out)
        case .received(let message):
            lastReceived = now
            received(message, into: &out)
        case .timerFired(let timer): timerFired(timer, now: now, into: &out)
        case .cancelLogin: pendingLogin = nil
        case .close: close(into: &out)
        }
        return out
    }

    // MARK: Inputs

    private mutating func login(_ authData: JSONValue, into out: inout [Output]) {
        if isTerminal {
            out.append(.loginFailed(.closed(state)))
            return
        }
        pendingLogin = authData
        switch state {
        case .closed:
            reconnectAttempt = 0
            transition(to: .awaitingConnection, &out)
            requestSocket(&out)
        case .awaitingAuthentication:
            sendAuth(authData, &out)
        case .open:
            pendingLogin = nil
            out.append(.loginFailed(.alreadyLoggedIn))
        case .authenticating:
            // A re-login after a reconnect is in flight; the caller's data is sent once it is answered.
            break
        default:
            // Sent when the server accepts the challenge.
            break
        }
    }

    private mutating func socketOpened(now: Duration, into out: inout [Output]) {
        guard socketRequested else {
            out.append(.closeSocket)
            return
        }
        socketIsOpen = true
        reconnectAttempt = 0
        lastReceived = now
        if state != .awaitingConnection { transition(to: .awaitingConnection, &out) }
        out.append(.armTimer(.heartbeat, after: options.heartbeatInterval))
        out.append(
            .send(.connection(ConnectionMessage(
                action: .challenge, url: url.description, protocolVersion: "0.1a",
                sdkVersion: sdkVersion, sdkType: "swift"))))
        transition(to: .challenging, &out)
    }

    private mutating func socketClosed(reason: String, into out: inout [Output]) {
        guard socketRequested else { return }
        socketRequested = false
        socketIsOpen = false
        out.append(.cancelTimer(.heartbeat))
        if isTerminal || state == .closed || state == .closing { return }
        out.append(.error(kind: "CONNECTION_ERROR", message: reason))
        lost(&out)
    }

    private mutating func received(_ message: Message, into out: inout [Output]) {
        switch message {
        case .connection(let m): receivedConnection(m, &out)
        case .auth(let m): receivedAuth(m, &out)
        default: break
        }
    }

    private mutating func receivedConnection(_ m: ConnectionMessage, _ out: inout [Output]) {
        switch m.action {
        case .accept where state == .challenging:
            transition(to: .awaitingAuthentication, &out)
            if let data = pendingLogin ?? sessionAuthData { sendAuth(data, &out) }
        case .reject where state == .challenging:
            transition(to: .challengeDenied, &out)
            stop(error: .challengeDenied, kind: "CHALLENGE_DENIED", &out)
        case .redirect where state == .challenging:
            guard let text = m.url, let target = try? ServerURL(parsing: text, defaultPath: options.path) else {
                out.append(.error(kind: "CONNECTION_ERROR", message: "REDIRECT without a usable url"))
                return
            }
            transition(to: .redirecting, &out)
            out.append(.closeSocket)
            out.append(.cancelTimer(.heartbeat))
            socketIsOpen = false
            url = target
            requestSocket(&out)
        case .authenticationTimeout:
            transition(to: .authenticationTimeout, &out)
            stop(error: .authenticationTimeout, kind: "AUTHENTICATION_TIMEOUT", &out)
        case .pong, .ping:
            break
        default:
            out.append(.error(kind: m.action.name, message: "unexpected CONNECTION \(m.action.name) in \(state.rawValue)"))
        }
    }

    private mutating func receivedAuth(_ m: AuthMessage, _ out: inout [Output]) {
        switch m.action {
        case .authSuccessful where state == .authenticating:
            var clientData: JSONValue?
            if let text = m.data {
                do { clientData = try JSONValue(parsing: text) } catch {
                    out.append(.error(kind: "INVALID_MESSAGE_DATA", message: "clientData is not JSON: \(error)"))
                }
            }
            sessionAuthData = authInFlight
            authInFlight = nil
            let completes = pendingLogin != nil
            pendingLogin = nil
            isBufferingOffline = false
            out.append(.cancelTimer(.offlineBuffer))
            transition(to: .open, &out)
            out.append(.loggedIn(clientData: clientData, completesLogin: completes))
        case .authUnsuccessful where state == .authenticating:
            let reason = m.data.flatMap { try? JSONValue(parsing: $0) }
            authInFlight = nil
            sessionAuthData = nil
            transition(to: .awaitingAuthentication, &out)
            if pendingLogin != nil {
                pendingLogin = nil
                out.append(.loginFailed(.rejected(reason: reason)))
            } else {
                out.append(.error(kind: "reauthenticationFailure", message: reason?.jsonText ?? "AUTH_UNSUCCESSFUL"))
            }
        case .tooManyAuthAttempts:
            transition(to: .tooManyAuthAttempts, &out)
            stop(error: .tooManyAuthAttempts, kind: "TOO_MANY_AUTH_ATTEMPTS", &out)
        case .invalidMessageData:
            // The server closes the socket after this; the loss is handled when it does.
            authInFlight = nil
            if pendingLogin != nil {
                pendingLogin = nil
                out.append(.loginFailed(.invalidAuthData))
            }
            out.append(.error(kind: "INVALID_MESSAGE_DATA", message: "the server refused the auth data"))
        default:
            out.append(.error(kind: m.action.name, message: "unexpected AUTH \(m.action.name) in \(state.rawValue)"))
        }
    }

    private mutating func timerFired(_ timer: EngineTimer, now: Duration, into out: inout [Output]) {
        switch timer {
        case .heartbeat:
            guard socketIsOpen else { return }
            if now - lastReceived > options.heartbeatInterval * 2 {
                out.append(.error(
                    kind: "HEARTBEAT_TIMEOUT",
                    message: "nothing received for more than \(options.heartbeatInterval * 2)"))
                out.append(.closeSocket)
                socketIsOpen = false
                socketRequested = false
                lost(&out)
            } else {
                out.append(.send(.ping))
                out.append(.armTimer(.heartbeat, after: options.heartbeatInterval))
            }
        case .reconnect:
            guard state == .reconnecting else { return }
            requestSocket(&out)
        case .offlineBuffer:
            guard isBufferingOffline else { return }
            isBufferingOffline = false
            out.append(.offlineBufferExpired)
        case .subscriptionBatch:
            break
        }
    }

    private mutating func close(into out: inout [Output]) {
        guard state != .closed else { return }
        transition(to: .closing, &out)
        if socketRequested { out.append(.closeSocket) }
        socketRequested = false
        socketIsOpen = false
        sessionAuthData = nil
        authInFlight = nil
        if pendingLogin != nil {
            pendingLogin = nil
            out.append(.loginFailed(.closed(.closed)))
        }
        cancelAllTimers(&out)
        isBufferingOffline = false
        transition(to: .closed, &out)
        out.append(.stopped(.closed))
    }

    // MARK: Helpers

    private mutating func transition(to newState: ConnectionState, _ out: inout [Output]) {
        guard newState != state else { return }
        out.append(.stateChanged(from: state, to: newState))
        state = newState
    }

    private mutating func requestSocket(_ out: inout [Output]) {
        socketRequested = true
        out.append(.openSocket(url))
    }

    private mutating func sendAuth(_ data: JSONValue, _ out: inout [Output]) {
        authInFlight = data
        out.append(.send(.auth(AuthMessage(action: .request, data: data.jsonText))))
        transition(to: .authenticating, &out)
    }

    /// The link is gone (socket closed or heartbeat missed) in a non-terminal state.
    private mutating func lost(_ out: inout [Output]) {
        out.append(.cancelTimer(.heartbeat))
        if state == .open {
            isBufferingOffline = true
            out.append(.armTimer(.offlineBuffer, after: options.offlineBufferTimeout))
            out.append(.connectionLost)
        }
        authInFlight = nil
        transition(to: .reconnecting, &out)
        if reconnectAttempt < options.maxReconnectAttempts {
            let delay = min(options.maxReconnectInterval, options.reconnectIntervalIncrement * reconnectAttempt)
            reconnectAttempt += 1
            out.append(.armTimer(.reconnect, after: delay))
        } else {
            out.append(.error(
                kind: "MAX_RECONNECTION_ATTEMPTS_REACHED", message: "gave up after \(reconnectAttempt) attempts"))
            close(into: &out)
        }
    }

    /// Enters a terminal state: the server ends the connection; nothing is retried.
    private mutating func stop(error: LoginError, kind: String, _ out: inout [Output]) {
        out.append(.error(kind: kind, message: error.description))
        if pendingLogin != nil {
            pendingLogin = nil
            out.append(.loginFailed(error))
        }
        if socketRequested { out.append(.closeSocket) }
        socketRequested = false
        socketIsOpen = false
        sessionAuthData = nil
        authInFlight = nil
        isBufferingOffline = false
        cancelAllTimers(&out)
        out.append(.stopped(state))
    }

    private func cancelAllTimers(_ out: inout [Output]) {
        out.append(.cancelTimer(.heartbeat))
        out.append(.cancelTimer(.reconnect))
        out.append(.cancelTimer(.offlineBuffer))
    }
}
