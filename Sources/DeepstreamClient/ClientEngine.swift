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
/// The engine is a thin shell over pure values, each readable alone: ``ConnectionStateMachine``
/// (connection and login life cycle), ``OutgoingCalls`` (the requestor side), ``ServedCalls`` and
/// ``ProviderRegistry`` (the provider side) and ``TimerSchedule`` (every timer). This file holds the
/// public API; `ClientEngine+Outputs.swift` performs the values' outputs, `ClientEngine+Socket.swift`
/// the socket life cycle and `ClientEngine+Timers.swift` the one timer sleeper.
///
/// Every task the engine starts is owned: the socket task, the timer sleeper, relays and async
/// provider bodies are cancelled by ``close()`` (and when the engine goes away). See docs/client.md.
public actor ClientEngine {
    /// A provider handler: the request data (`nil` = none), the response to answer through, and the
    /// requestor's details when the server sends them. Called on the engine; must not block.
    public typealias Handler = @Sendable (JSONValue?, RPCResponse, RequestorDetails?) -> Void

    /// An async provider body (see ``provide(_:body:)``).
    typealias Body = @Sendable (RPCRequest) async throws -> JSONValue?

    /// How a provided name is served.
    enum Provider {
        case handler(Handler)
        case body(Body)
    }

    /// The server URL as parsed.
    public nonisolated let url: ServerURL
    /// The options this engine was created with.
    public nonisolated let options: ClientOptions

    var machine: ConnectionStateMachine
    var calls = OutgoingCalls()
    var providers: ProviderRegistry
    var served: ServedCalls
    var handlers: [String: Provider] = [:]
    var callContinuations: [String: CheckedContinuation<Result<JSONValue?, RPCError>, Never>] = [:]
    var loginContinuation: CheckedContinuation<Result<JSONValue?, LoginError>, Never>?

    var schedule = TimerSchedule()
    var sleeper: (task: Task<Void, Never>, deadline: Duration, token: UInt64)?
    var sleeperToken: UInt64 = 0

    var connection: WebSocketConnection?
    var connectionID: UInt64 = 0
    var socketTask: Task<Void, Never>?

    /// Relays and async provider bodies, by a number of their own; each removes itself when done.
    var ownedTasks: [UInt64: Task<Void, Never>] = [:]
    var ownedTaskCount: UInt64 = 0
    /// Lives as long as the engine: cancelling it would finish the response channel for good.
    var drainTask: Task<Void, Never>?
    var correlationIDs = CorrelationIDGenerator()
    var random = SystemRandomNumberGenerator()

    let hub = EventHub()
    let responses: AsyncStream<RPCResponse.Envelope>
    let responseSink: AsyncStream<RPCResponse.Envelope>.Continuation
    let codec: BinaryCodec
    let elapsed: @Sendable () -> Duration
    /// Sleeps on `clock` until the engine's monotonic time reaches the argument (an absolute
    /// deadline, so a sleeper that starts late still wakes on time).
    let sleepUntil: @Sendable (Duration) async throws -> Void
    let timestamp: @Sendable () -> Timestamp
    let group: any EventLoopGroup
    let logger: Logger

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
        self.served = ServedCalls(maxMessageSize: options.maxMessageSize)
        self.codec = BinaryCodec(maximumMessageSize: options.maxReceivedMessageSize)
        (self.elapsed, self.sleepUntil) = Self.stopwatch(clock)
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
        socketTask?.cancel()
        sleeper?.task.cancel()
        for task in ownedTasks.values { task.cancel() }
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

    private static func stopwatch<C: Clock>(
        _ clock: C
    ) -> (@Sendable () -> Duration, @Sendable (Duration) async throws -> Void) where C.Duration == Duration {
        let start = clock.now
        return (
            { start.duration(to: clock.now) },
            { deadline in try await clock.sleep(until: start.advanced(by: deadline), tolerance: nil) }
        )
    }

    // MARK: Public API

    /// The connection state.
    public var state: ConnectionState { machine.state }

    /// A new subscription to the engine's events, keeping at most `limit` undelivered events (the
    /// newest; losses are reported with ``EngineEvent/dropped(count:)``).
    public nonisolated func events(bufferingNewest limit: Int = 4096) -> AsyncStream<EngineEvent> {
        hub.subscribe(bufferingNewest: limit)
    }

    /// A new subscription to the engine's events in batches (events that arrived together, e.g. one
    /// batch of the embedded broker's tap, travel together), keeping at most `limit` undelivered
    /// batches (the newest; losses are reported with ``EngineEvent/dropped(count:)``).
    public nonisolated func eventBatches(bufferingNewest limit: Int = 1_024) -> AsyncStream<[EngineEvent]> {
        hub.subscribeBatches(bufferingNewest: limit)
    }

    /// Calls `receive` with every batch of events as it is emitted (one array per broker tap batch, a
    /// single event as a one-element batch), synchronously on the emitting task and in order, without
    /// a stream hand-over: `receive` must only hand the batch on (append to a bounded queue of its own,
    /// wake its reader) and must not call into the engine. Nothing is buffered or dropped on the way;
    /// the receiver bounds and counts. Returns the id for ``stopReceivingEvents(_:)``.
    public nonisolated func receiveEventBatches(_ receive: @escaping @Sendable ([EngineEvent]) -> Void) -> Int {
        hub.receive(receive)
    }

    /// Ends a ``receiveEventBatches(_:)`` subscription.
    public nonisolated func stopReceivingEvents(_ id: Int) {
        hub.stopReceiving(id)
    }

    /// Events dropped so far over all subscribers.
    public nonisolated var droppedEventCount: Int { hub.totalDropped }

    /// Forwards another source (the embedded broker's tap) into this engine's events as
    /// ``EngineEvent/traffic(_:)``, until that stream ends, ``close()`` is called or the engine goes
    /// away.
    public func relay(_ traffic: AsyncStream<TrafficEvent>) {
        let hub = self.hub
        own { for await event in traffic { hub.emit(.traffic(event)) } }
    }

    /// Forwards batches of another source (the embedded broker's ``Broker/tapBatches``) into this
    /// engine's events as ``EngineEvent/traffic(_:)``; a batch stays one batch for
    /// ``eventBatches(bufferingNewest:)`` subscribers.
    public func relay(batches traffic: AsyncStream<[TrafficEvent]>) {
        let hub = self.hub
        own { for await batch in traffic { hub.emit(contentsOf: batch.map(EngineEvent.traffic)) } }
    }

    /// Forwards ready-made engine events from another source (the cluster view's notices) into this
    /// engine's events, until that stream ends, ``close()`` is called or the engine goes away.
    public func relay(_ events: AsyncStream<EngineEvent>) {
        let hub = self.hub
        own { for await event in events { hub.emit(event) } }
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
            // The handler is synchronous and may run on any thread: hop onto the engine. The task
            // only takes the actor's turn and ends.
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
    /// ``RPCError/clientOffline``, a pending login fails, no reconnect; every timer, relay and async
    /// provider body is cancelled. A later ``login(_:)`` connects again.
    public func close() {
        apply(machine.on(.close, now: elapsed()))
        dropSocket()
        schedule.cancelAll()
        replanTimers()
        for task in ownedTasks.values { task.cancel() }
        ownedTasks.removeAll()
    }

    /// Provides `name`: the server routes its requests to `handler`.
    ///
    /// The handler is called on the engine with the request data, an ``RPCResponse`` and the
    /// requestor's details (when the server sends them). Unless it rejected, errored or answered
    /// synchronously, or set ``RPCResponse/autoAccept`` to false, ACCEPT goes out as soon as it
    /// returns. Throws when this engine already provides `name`.
    public func provide(_ name: String, handler: @escaping Handler) throws(ProviderError) {
        try register(name, .handler(handler))
    }

    /// Provides `name` with an async body: its result is sent as RESPONSE; a thrown
    /// ``RPCProviderError`` is sent as REQUEST_ERROR with its value, any other error as its
    /// description. ACCEPT goes out as soon as the request arrives. The body runs in a task the engine
    /// owns: ``close()`` cancels it.
    public func provide(
        _ name: String, body: @escaping @Sendable (RPCRequest) async throws -> JSONValue?
    ) throws(ProviderError) {
        try register(name, .body(body))
    }

    /// Stops providing `name`. Requests for it that still arrive are rejected.
    public func unprovide(_ name: String) throws(ProviderError) {
        let outputs = try providers.unprovide(name, online: machine.state == .open)
        handlers[name] = nil
        apply(outputs)
    }

    /// The names this engine provides.
    public var providedNames: [String] { providers.names }

    /// The timers armed now. Nothing happens later by itself unless one is armed, so tests check this
    /// instead of waiting to see that nothing happens.
    package var armedTimers: Set<TimerSchedule.Key> { schedule.keys }

    /// Bytes of the current socket not yet handed to the channel (backpressure; for tests).
    package var unwrittenBytes: Int { connection?.unwrittenBytes ?? 0 }

    /// Makes an RPC and returns the provider's result (`nil` when it sent no data).
    ///
    /// While the connection is being re-established after a loss, the call is buffered for
    /// `offlineBufferTimeout`. `timeout` is a client-side deadline on top of the server's timers.
    /// A request larger than ``ClientOptions/maxMessageSize`` fails with
    /// ``RPCError/messageTooBig(size:limit:)`` before anything is sent; one the server refuses by
    /// closing the connection with 1009 fails the same way. When the socket cannot take more data (a
    /// slow server), the call waits before sending. Cancelling the calling task ends the call with
    /// ``RPCError/cancelled``; a later server reply is ignored.
    public func make(_ name: String, data: JSONValue? = nil, timeout: Duration? = nil) async throws(RPCError) -> JSONValue? {
        startDrainingResponses()
        // Checked again on the actor after every wait: the check and the send below happen in one
        // actor turn, so a burst of concurrent calls cannot all slip past a full queue.
        while let connection, !connection.hasSpace { await connection.waitForSpace() }
        let cid = correlationIDs.next(milliseconds: timestamp().nanoseconds / 1_000_000, using: &random)
        let link: OutgoingCalls.Link =
            machine.state == .open ? .open : machine.isBufferingOffline ? .buffering : .offline
        let decision: OutgoingCalls.StartDecision =
            Task.isCancelled
            ? .failed(.cancelled)
            : calls.start(name: name, correlationId: cid, data: data, link: link, maxMessageSize: options.maxMessageSize,
                timeout: timeout)
        let id = CallID(requestor: nil, correlationId: cid)
        emit(.outgoingCall(CallEvent(call: id, name: name, step: .requested(data: data?.jsonText), at: timestamp())))
        switch decision {
        case .failed(let error):
            emit(.outgoingCall(CallEvent(call: id, name: name, step: .abandoned(reason: error.abandonReason), at: timestamp())))
            throw error
        case .send(let message):
            send(message)
        case .buffered:
            break
        }
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                callContinuations[cid] = continuation
                if let timeout { arm(.callDeadline(cid), after: timeout) }
            }
        } onCancel: {
            Task { await self.endLocally(cid, .cancelled) }
        }
        return try result.get()
    }

    // MARK: Owned tasks

    /// Starts `operation` in a task the engine owns: ``close()`` and deinit cancel it, and it forgets
    /// itself when done.
    func own(_ operation: @escaping @Sendable () async -> Void) {
        ownedTaskCount += 1
        let id = ownedTaskCount
        ownedTasks[id] = Task { [weak self] in
            await operation()
            await self?.ownedTaskEnded(id)
        }
    }

    private func ownedTaskEnded(_ id: UInt64) {
        ownedTasks[id] = nil
    }

    private func register(_ name: String, _ provider: Provider) throws(ProviderError) {
        startDrainingResponses()
        let outputs = try providers.provide(name, online: machine.state == .open)
        handlers[name] = provider
        apply(outputs)
    }
}
