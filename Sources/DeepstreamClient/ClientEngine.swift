import DeepstreamProtocol
import Logging
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A deepstream client: connects to any deepstream server (the reference server 10.x or the
/// embedded broker), logs in, provides and makes RPCs like the JS client, and reports everything
/// as ``EngineEvent``s.
///
/// The connection life cycle lives in ``ConnectionStateMachine``, the RPC bookkeeping in
/// ``OutgoingCalls`` and ``ProviderRegistry``; this actor only performs their outputs (socket,
/// timers, events). See docs/client.md.
public actor ClientEngine {
    /// A provider handler: the request data (`nil` = none), the response to answer through, and the
    /// requestor's details when the server sends them. Called on the engine; must not block.
    public typealias Handler = @Sendable (JSONValue?, RPCResponse, RequestorDetails?) -> Void

    private struct ServedCall {
        var name: String
        var requestor: RequestorDetails?
    }

    private struct ArmedTimer {
        var token: UInt64
        var task: Task<Void, Never>
    }

    /// The server URL as parsed.
    public nonisolated let url: ServerURL
    /// The options this engine was created with.
    public nonisolated let options: ClientOptions

    private var machine: ConnectionStateMachine
    private var calls = OutgoingCalls()
    private var providers: ProviderRegistry
    private var handlers: [String: Handler] = [:]
    private var served: [String: ServedCall] = [:]
    private var callContinuations: [String: CheckedContinuation<Result<JSONValue?, RPCError>, Never>] = [:]
    private var callDeadlines: [String: Task<Void, Never>] = [:]
    private var loginContinuation: CheckedContinuation<Result<JSONValue?, LoginError>, Never>?
    private var timers: [EngineTimer: ArmedTimer] = [:]
    private var timerToken: UInt64 = 0
    private var connection: WebSocketConnection?
    private var connectionID: UInt64 = 0
    private var relayTasks: [Task<Void, Never>] = []
    private var drainTask: Task<Void, Never>?
    private var correlationIDs = CorrelationIDGenerator()
    private var random = SystemRandomNumberGenerator()

    private let hub = EventHub()
    private let responses: AsyncStream<RPCResponse.Envelope>
    private let responseSink: AsyncStream<RPCResponse.Envelope>.Continuation
    private let codec: BinaryCodec
    private let clock: any Clock<Duration>
    private let elapsed: @Sendable () -> Duration
    private let timestamp: @Sendable () -> Timestamp
    private let group: any EventLoopGroup
    private let logger: Logger

    /// Creates an engine for `url` (`host:port`, `ws://…`, `wss://…`; see ``ServerURL``). Nothing
    /// connects until ``login(_:)``.
    ///
    /// - Parameters:
    ///   - clock: drives the timers (heartbeat, reconnect, offline buffer, batching, deadlines).
    ///   - timestamp: wall-clock time for events.
    public init(
        url: String,
        options: ClientOptions = ClientOptions(),
        clock: any Clock<Duration> = ContinuousClock(),
        timestamp: @escaping @Sendable () -> Timestamp = ClientEngine.wallClock,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "deepstream.client")
    ) throws(ServerURL.ParseError) {
        let parsed = try ServerURL(parsing: url, defaultPath: options.path)
        self.url = parsed
        self.options = options
        self.machine = ConnectionStateMachine(url: parsed, options: options)
        self.providers = ProviderRegistry(batchWindow: options.subscriptionInterval)
        self.codec = BinaryCodec(maximumMessageSize: options.maxMessageSize)
        self.clock = clock
        self.elapsed = Self.stopwatch(clock)
        self.timestamp = timestamp
        self.group = eventLoopGroup
        self.logger = logger
        // Unbounded on purpose: each RPCResponse enqueues at most three envelopes (accept, one
        // settle, one misuse report per extra call is the only unbounded part and is the caller's
        // loop), so the backlog is bounded by the requests the server sent us.
        (responses, responseSink) = AsyncStream.makeStream(of: RPCResponse.Envelope.self, bufferingPolicy: .unbounded)
    }

    deinit {
        connection?.close()
        for timer in timers.values { timer.task.cancel() }
        for task in callDeadlines.values { task.cancel() }
        for task in relayTasks { task.cancel() }
        drainTask?.cancel()
        responseSink.finish()
        hub.finishAll()
    }

    /// The wall clock as a ``Timestamp`` (the default event time source).
    public static let wallClock: @Sendable () -> Timestamp = {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Timestamp(nanoseconds: UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec))
    }

    private static func stopwatch<C: Clock>(_ clock: C) -> @Sendable () -> Duration where C.Duration == Duration {
        let start = clock.now
        return { start.duration(to: clock.now) }
    }

    // MARK: Public API

    /// The connection state.
    public var state: ConnectionState { machine.state }

    /// A new subscription to the engine's events, keeping at most `limit` undelivered events (the
    /// newest; losses are reported with ``EngineEvent/dropped(count:)``).
    public nonisolated func events(bufferingNewest limit: Int = 4096) -> AsyncStream<EngineEvent> {
        hub.subscribe(bufferingNewest: limit)
    }

    /// Events dropped so far over all subscribers.
    public nonisolated var droppedEventCount: Int { hub.totalDropped }

    /// Forwards another source (the embedded broker's tap) into this engine's events as
    /// ``EngineEvent/traffic(_:)``, until that stream ends or the engine goes away.
    public func relay(_ traffic: AsyncStream<TrafficEvent>) {
        let hub = self.hub
        relayTasks.append(Task {
            for await event in traffic { hub.emit(.traffic(event)) }
        })
    }

    /// Forwards ready-made engine events from another source (the cluster view's notices) into this
    /// engine's events, until that stream ends or the engine goes away.
    public func relay(_ events: AsyncStream<EngineEvent>) {
        let hub = self.hub
        relayTasks.append(Task {
            for await event in events { hub.emit(event) }
        })
    }

    /// Connects if needed and logs in with `authData` (a JSON object; `{}` is anonymous). Returns the
    /// server's clientData (`nil` when it sent none).
    ///
    /// Waits through reconnects; fails when the server refuses, the engine reaches a terminal state,
    /// or ``close()`` is called. Cancelling the task stops the wait with ``LoginError/cancelled``;
    /// the connection stays as it is (call ``close()`` to stop connecting).
    @discardableResult
    public func login(_ authData: JSONValue = [:]) async throws(LoginError) -> JSONValue? {
        startDrainingResponses()
        switch authData {
        case .object, .array: break
        default: throw .invalidAuthData
        }
        guard loginContinuation == nil else { throw .loginInProgress }
        if machine.state == .open { throw .alreadyLoggedIn }
        if machine.isTerminal { throw .closed(machine.state) }
        if Task.isCancelled { throw .cancelled }
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                loginContinuation = continuation
                apply(machine.on(.login(authData: authData), now: elapsed()))
            }
        } onCancel: {
            Task { await self.cancelLogin() }
        }
        return try result.get()
    }

    /// Logs in with `{"username": …, "password": …}`.
    @discardableResult
    public func login(username: String, password: String) async throws(LoginError) -> JSONValue? {
        try await login(["username": .string(username), "password": .string(password)])
    }

    /// Closes the connection for good: in-flight and buffered calls fail with
    /// ``RPCError/clientOffline``, a pending login fails, no reconnect. A later ``login(_:)``
    /// connects again.
    public func close() {
        apply(machine.on(.close, now: elapsed()))
    }

    /// Provides `name`: the server routes its requests to `handler`.
    ///
    /// The handler is called on the engine with the request data, an ``RPCResponse`` and the
    /// requestor's details (when the server sends them). Unless it rejected, errored or answered
    /// synchronously, or set ``RPCResponse/autoAccept`` to false, ACCEPT goes out as soon as it
    /// returns. Throws when this engine already provides `name`.
    public func provide(_ name: String, handler: @escaping Handler) throws(ProviderError) {
        startDrainingResponses()
        let outputs = try providers.provide(name, online: machine.state == .open)
        handlers[name] = handler
        apply(outputs)
    }

    /// Provides `name` with an async body: its result is sent as RESPONSE; a thrown
    /// ``RPCProviderError`` is sent as REQUEST_ERROR with its value, any other error as its
    /// description. ACCEPT goes out as soon as the request arrives.
    public func provide(
        _ name: String, body: @escaping @Sendable (RPCRequest) async throws -> JSONValue?
    ) throws(ProviderError) {
        try provide(name) { data, response, requestor in
            let request = RPCRequest(
                name: response.name, correlationId: response.correlationId, data: data, requestor: requestor)
            Task {
                do {
                    response.send(try await body(request))
                } catch let error as RPCProviderError {
                    response.error(error.value)
                } catch {
                    response.error(.string(String(describing: error)))
                }
            }
        }
    }

    /// Stops providing `name`. Requests for it that still arrive are rejected.
    public func unprovide(_ name: String) throws(ProviderError) {
        let outputs = try providers.unprovide(name, online: machine.state == .open)
        handlers[name] = nil
        apply(outputs)
    }

    /// The names this engine provides.
    public var providedNames: [String] { providers.names }

    /// Makes an RPC and returns the provider's result (`nil` when it sent no data).
    ///
    /// While the connection is being re-established after a loss, the call is buffered for
    /// `offlineBufferTimeout`. `timeout` is a client-side deadline on top of the server's timers.
    /// Cancelling the calling task ends the call with ``RPCError/cancelled``; a later server reply
    /// is ignored.
    public func make(_ name: String, data: JSONValue? = nil, timeout: Duration? = nil) async throws(RPCError) -> JSONValue? {
        startDrainingResponses()
        let cid = correlationIDs.next(milliseconds: timestamp().nanoseconds / 1_000_000, using: &random)
        let link: OutgoingCalls.Link =
            machine.state == .open ? .open : machine.isBufferingOffline ? .buffering : .offline
        let decision: OutgoingCalls.StartDecision =
            Task.isCancelled
            ? .failed(.cancelled)
            : calls.start(name: name, correlationId: cid, data: data, link: link, maxMessageSize: options.maxMessageSize)
        let id = CallID(requestor: nil, correlationId: cid)
        emit(.outgoingCall(CallEvent(call: id, name: name, step: .requested(data: data?.jsonText), at: timestamp())))
        switch decision {
        case .failed(let error):
            emit(.outgoingCall(CallEvent(call: id, name: name, step: .abandoned(reason: error.name), at: timestamp())))
            throw error
        case .send(let message):
            send(message)
        case .buffered:
            break
        }
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                callContinuations[cid] = continuation
                if let timeout { armDeadline(cid, after: timeout) }
            }
        } onCancel: {
            Task { await self.endLocally(cid, .cancelled) }
        }
        return try result.get()
    }

    // MARK: Outputs of the state machines

    private func apply(_ outputs: [ConnectionStateMachine.Output]) {
        for output in outputs {
            switch output {
            case .openSocket(let url): openSocket(url)
            case .send(let message): send(message)
            case .closeSocket: dropSocket()
            case .armTimer(let timer, let delay): arm(timer, after: delay)
            case .cancelTimer(let timer): cancel(timer)
            case .stateChanged(let from, let to):
                logger.debug("state \(from.rawValue) -> \(to.rawValue)")
                emit(.stateChanged(from: from, to: to, at: timestamp()))
            case .loggedIn(let clientData, let completesLogin):
                emit(.loggedIn(clientData: clientData, at: timestamp()))
                if completesLogin { resolveLogin(.success(clientData)) }
                apply(providers.loggedIn())
                for message in calls.flushBuffer() { send(message) }
            case .loginFailed(let error):
                if case .rejected(let reason) = error { emit(.loginFailed(reason: reason, at: timestamp())) }
                resolveLogin(.failure(error))
            case .connectionLost:
                for call in calls.connectionLost() { finish(call, .failure(.clientOffline)) }
                abandonServedCalls()
            case .offlineBufferExpired:
                for call in calls.expireBuffer() { finish(call, .failure(.clientOffline)) }
            case .stopped:
                for call in calls.endAll() { finish(call, .failure(.clientOffline)) }
                abandonServedCalls()
                providers.connectionLost()
                cancel(.subscriptionBatch)
            case .error(let kind, let message):
                logger.debug("\(kind): \(message)")
                emit(.error(kind: kind, message: message, at: timestamp()))
            }
        }
    }

    private func apply(_ outputs: [ProviderRegistry.Output]) {
        for output in outputs {
            switch output {
            case .send(let message): send(message)
            case .armBatchTimer(let delay): arm(.subscriptionBatch, after: delay)
            case .acknowledged(let name, let provided):
                emit(.providerAcknowledged(name: name, provided: provided, at: timestamp()))
            case .refused(let name, let reason):
                if !providers.provides(name) { handlers[name] = nil }
                emit(.providerRefused(name: name, reason: reason, at: timestamp()))
            case .error(let kind, let message):
                emit(.error(kind: kind, message: message, at: timestamp()))
            }
        }
    }

    // MARK: Socket

    private func openSocket(_ url: ServerURL) {
        connectionID += 1
        let id = connectionID
        providers.connectionLost()
        let options = self.options
        let group = self.group
        Task { [weak self] in
            let socket: WebSocketConnection
            do {
                socket = try await WebSocketConnection.connect(
                    to: url, maxFrameSize: options.maxMessageSize, connectTimeout: options.connectTimeout,
                    tlsConfiguration: options.tlsConfiguration, group: group)
            } catch {
                await self?.socketEnded(id, reason: "could not connect to \(url): \(error)")
                return
            }
            // Only weak references while the socket runs: an engine dropped without close() goes
            // away, and its deinit closes the socket.
            guard await self?.socketOpened(id, socket) == true else {
                socket.close()
                return
            }
            let reason = await socket.run { [weak self] frame in
                await self?.frameReceived(id, frame)
            }
            await self?.socketEnded(id, reason: reason)
        }
    }

    private func socketOpened(_ id: UInt64, _ socket: WebSocketConnection) -> Bool {
        guard id == connectionID else { return false }
        connection = socket
        apply(machine.on(.socketOpened, now: elapsed()))
        return connection != nil
    }

    private func socketEnded(_ id: UInt64, reason: String) {
        guard id == connectionID else { return }
        connection = nil
        logger.debug("socket ended: \(reason)")
        apply(machine.on(.socketClosed(reason: reason), now: elapsed()))
    }

    private func dropSocket() {
        connection?.close()
        connection = nil
        connectionID += 1
    }

    private func send(_ message: Message) {
        guard let connection else {
            logger.debug("not sent (no socket): \(message.summary)")
            return
        }
        let bytes = codec.encode(message)
        connection.send(bytes)
        emit(.frame(direction: .outbound, message: message, byteCount: bytes.count, at: timestamp()))
    }

    private func frameReceived(_ id: UInt64, _ frame: ByteBuffer) {
        guard id == connectionID, connection != nil else { return }
        let decoded = frame.withUnsafeReadableBytes { raw in
            Result { () throws(ProtocolError) in try codec.decode(raw) }
        }
        switch decoded {
        case .failure(let error):
            emit(.frame(direction: .inbound, message: nil, byteCount: frame.readableBytes, at: timestamp()))
            emit(.error(kind: "MESSAGE_PARSE_ERROR", message: error.description, at: timestamp()))
        case .success(let message):
            emit(.frame(direction: .inbound, message: message, byteCount: frame.readableBytes, at: timestamp()))
            received(message)
        }
    }

    private func received(_ message: Message) {
        // Every message refreshes the liveness clock; CONNECTION and AUTH drive the machine.
        apply(machine.on(.received(message), now: elapsed()))
        switch message {
        case .connection, .auth: break
        case .rpc(let m):
            guard machine.state == .open else {
                emit(.error(kind: "UNEXPECTED_MESSAGE", message: "RPC \(m.action.name) before login", at: timestamp()))
                return
            }
            receivedRPC(m)
        case .parser(let m):
            emit(.error(kind: m.action.name, message: "PARSER \(m.action.name) \(m.data ?? "")", at: timestamp()))
        case .other(let topic, _):
            emit(.error(kind: "UNKNOWN_TOPIC", message: "message of topic \(topic.name)", at: timestamp()))
        }
    }

    // MARK: RPC

    private func receivedRPC(_ m: RPCMessage) {
        switch m.action {
        case .request:
            serve(m)
        case .provide, .unprovide, .multipleProviders:
            apply(providers.received(m))
        case .messageDenied where m.originalAction == .provide, .messagePermissionError where m.originalAction == .provide:
            apply(providers.received(m))
        case .accept, .response, .requestError, .noRPCProvider, .acceptTimeout, .responseTimeout,
            .messageDenied, .messagePermissionError, .invalidMessageData:
            replyReceived(m)
        case .invalidRPCCorrelationID, .multipleAccept, .multipleResponse, .notProvided:
            emit(.error(
                kind: m.action.name,
                message: "\(m.action.name) for \(m.name ?? "-") (\(m.correlationId ?? "-"))", at: timestamp()))
        default:
            emit(.error(kind: "UNKNOWN_ACTION", message: "unexpected RPC \(m.action.name)", at: timestamp()))
        }
    }

    private func replyReceived(_ m: RPCMessage) {
        switch calls.received(m) {
        case .accepted(let call):
            emit(.outgoingCall(CallEvent(
                call: CallID(requestor: nil, correlationId: call.correlationId), name: call.name,
                step: .accepted(by: .unidentified), at: timestamp())))
        case .settled(let call, let result):
            let step: CallStep =
                switch m.action {
                case .response: .responded(data: m.data)
                case .requestError: .errored(data: m.data)
                default: .failed(reason: m.action)
                }
            finish(call, result, step: step)
        case .late:
            logger.debug("late \(m.action.name) for \(m.correlationId ?? "-") ignored")
        case .unknown:
            emit(.error(
                kind: "UNKNOWN_CORRELATION_ID",
                message: "\(m.action.name) for unknown call \(m.correlationId ?? "-")", at: timestamp()))
        }
    }

    /// Resumes the caller and reports the final step (`step` defaults to an abandonment).
    private func finish(_ call: OutgoingCalls.Call, _ result: Result<JSONValue?, RPCError>, step: CallStep? = nil) {
        callDeadlines.removeValue(forKey: call.correlationId)?.cancel()
        let finalStep: CallStep
        if let step {
            finalStep = step
        } else if case .failure(let error) = result {
            finalStep = .abandoned(reason: error.name)
        } else {
            finalStep = .responded(data: nil)
        }
        emit(.outgoingCall(CallEvent(
            call: CallID(requestor: nil, correlationId: call.correlationId), name: call.name, step: finalStep,
            at: timestamp())))
        callContinuations.removeValue(forKey: call.correlationId)?.resume(returning: result)
    }

    private func endLocally(_ cid: String, _ error: RPCError) {
        guard let call = calls.end(cid) else { return }
        finish(call, .failure(error))
    }

    private func armDeadline(_ cid: String, after timeout: Duration) {
        let clock = self.clock
        callDeadlines[cid] = Task { [weak self] in
            do { try await clock.sleep(for: timeout) } catch { return }
            await self?.endLocally(cid, .timeout(timeout))
        }
    }

    private func serve(_ m: RPCMessage) {
        let requestor: RequestorDetails? =
            m.requestorName == nil && m.requestorData == nil
            ? nil
            : RequestorDetails(
                name: m.requestorName,
                data: m.requestorData.map { text in (try? JSONValue(parsing: text)) ?? .string(text) })
        switch providers.route(m) {
        case .malformed:
            emit(.error(kind: "INVALID_MESSAGE", message: "REQUEST without name or correlation id", at: timestamp()))
        case .reject(let reject):
            let event = CallEvent(
                call: CallID(requestor: nil, correlationId: m.correlationId ?? ""), name: m.name ?? "",
                step: .requested(data: m.data), at: timestamp())
            emit(.servedCall(event, requestor: requestor))
            send(reject)
            var rejected = event
            rejected.step = .rejected(by: .unidentified)
            emit(.servedCall(rejected, requestor: requestor))
        case .invoke:
            guard let name = m.name, let cid = m.correlationId, let handler = handlers[name] else { return }
            served[cid] = ServedCall(name: name, requestor: requestor)
            emit(.servedCall(
                CallEvent(call: CallID(requestor: nil, correlationId: cid), name: name, step: .requested(data: m.data), at: timestamp()),
                requestor: requestor))
            let response = RPCResponse(name: name, correlationId: cid, connection: connectionID, sink: responseSink)
            let data: JSONValue?
            do {
                data = try m.data.map { text throws(JSONParseError) in try JSONValue(parsing: text) }
            } catch {
                emit(.error(kind: "INVALID_MESSAGE_DATA", message: "request data is not JSON: \(error)", at: timestamp()))
                response.error("INVALID_MESSAGE_DATA")
                return
            }
            handler(data, response, requestor)
            response.performAutoAccept()
        }
    }

    private func startDrainingResponses() {
        guard drainTask == nil else { return }
        let responses = self.responses
        drainTask = Task { [weak self] in
            for await envelope in responses {
                guard let self else { return }
                await self.perform(envelope)
            }
        }
    }

    private func perform(_ envelope: RPCResponse.Envelope) {
        let cid = envelope.correlationId
        if case .misuse(let text) = envelope.command {
            emit(.error(kind: "RPC_ALREADY_COMPLETED", message: text, at: timestamp()))
            return
        }
        if case .unanswered = envelope.command {
            guard let call = served.removeValue(forKey: cid) else { return }
            emit(.servedCall(
                CallEvent(
                    call: CallID(requestor: nil, correlationId: cid), name: call.name,
                    step: .abandoned(reason: "not answered"), at: timestamp()),
                requestor: call.requestor))
            return
        }
        guard envelope.connection == connectionID, let call = served[cid], connection != nil else {
            logger.debug("response for \(envelope.name) (\(cid)) dropped: its connection is gone")
            return
        }
        let id = CallID(requestor: nil, correlationId: cid)
        var message = RPCMessage(action: .accept, correlationId: cid, name: envelope.name)
        let step: CallStep
        switch envelope.command {
        case .accept:
            step = .accepted(by: .unidentified)
        case .reject:
            message.action = .reject
            step = .rejected(by: .unidentified)
        case .respond(let value):
            message.action = .response
            message.data = value?.jsonText
            step = .responded(data: message.data)
        case .fail(let value):
            message.action = .requestError
            message.data = value?.jsonText
            step = .errored(data: message.data)
        case .misuse, .unanswered:
            return
        }
        var finalStep = step
        let size = BinaryCodec.encodedSize(of: .rpc(message))
        if size > options.maxMessageSize {
            emit(.error(
                kind: "MESSAGE_TOO_LARGE",
                message: "\(message.action.name) for \(envelope.name) is \(size) bytes (limit \(options.maxMessageSize)); sent REQUEST_ERROR instead",
                at: timestamp()))
            message.action = .requestError
            message.data = JSONValue.string("MESSAGE_TOO_LARGE").jsonText
            finalStep = .errored(data: message.data)
        }
        send(.rpc(message))
        if finalStep.isFinal || message.action == .reject { served[cid] = nil }
        emit(.servedCall(CallEvent(call: id, name: envelope.name, step: finalStep, at: timestamp()), requestor: call.requestor))
    }

    private func abandonServedCalls() {
        for (cid, call) in served.sorted(by: { $0.key < $1.key }) {
            emit(.servedCall(
                CallEvent(
                    call: CallID(requestor: nil, correlationId: cid), name: call.name,
                    step: .abandoned(reason: RPCError.clientOffline.name), at: timestamp()),
                requestor: call.requestor))
        }
        served.removeAll()
    }

    // MARK: Timers, login, events

    private func arm(_ timer: EngineTimer, after delay: Duration) {
        timers[timer]?.task.cancel()
        timerToken += 1
        let token = timerToken
        let clock = self.clock
        let task = Task { [weak self] in
            do { try await clock.sleep(for: delay) } catch { return }
            await self?.timerFired(timer, token: token)
        }
        timers[timer] = ArmedTimer(token: token, task: task)
    }

    private func cancel(_ timer: EngineTimer) {
        timers.removeValue(forKey: timer)?.task.cancel()
    }

    private func timerFired(_ timer: EngineTimer, token: UInt64) {
        guard timers[timer]?.token == token else { return }
        timers[timer] = nil
        if timer == .subscriptionBatch {
            if machine.state == .open { apply(providers.batchTimerFired()) }
            return
        }
        apply(machine.on(.timerFired(timer), now: elapsed()))
    }

    private func cancelLogin() {
        guard loginContinuation != nil else { return }
        apply(machine.on(.cancelLogin, now: elapsed()))
        resolveLogin(.failure(.cancelled))
    }

    private func resolveLogin(_ result: Result<JSONValue?, LoginError>) {
        loginContinuation?.resume(returning: result)
        loginContinuation = nil
    }

    private func emit(_ event: EngineEvent) {
        hub.emit(event)
    }
}
