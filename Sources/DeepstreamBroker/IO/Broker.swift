import DeepstreamProtocol
import EventLoopPacing
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The embedded deepstream-compatible RPC broker: a WebSocket server (`/deepstream` binary,
/// `/deepstream-json` JSON, `GET /health-check`) whose whole state lives on one event loop.
///
/// ```swift
/// let broker = Broker(configuration: config)
/// let events = broker.tap(bufferingNewest: 10_000)
/// let address = try await broker.start()
/// …
/// await broker.shutdown()
/// ```
/// Call ``shutdown(gracePeriod:)`` exactly once, also after a failed ``start()``: it releases the
/// broker's thread.
public final class Broker: Sendable {
    /// The settings the broker runs with.
    public let configuration: BrokerConfiguration
    private let group: MultiThreadedEventLoopGroup
    private let threadPool: NIOThreadPool
    private let loop: EventLoop
    private let runtime: NIOLoopBoundBox<BrokerRuntime>
    private let gauges: NIOLockedValueBox<BrokerGauges>
    private let logger: Logger
    /// The shutdown in progress or done; later `shutdown()` calls wait for it, `tap()` and `start()`
    /// see that the event loop is gone.
    private let stopping = NIOLockedValueBox<Task<Void, Never>?>(nil)

    /// Creates a broker (nothing is bound until ``start()``).
    /// - Parameters:
    ///   - clock: source of deadlines and tap timestamps.
    ///   - random: chooses among providers of a name (default: ``FastRandom``, seeded from the system).
    public init(
        configuration: BrokerConfiguration,
        logger: Logger = Logger(label: "dsconsole.broker"),
        clock: any BrokerClock = SystemBrokerClock(),
        random: some RandomNumberGenerator & Sendable = FastRandom()
    ) {
        self.configuration = configuration
        self.logger = logger
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        loop = group.next()
        // One thread: password hashing is slow and must not run on the event loop, but logins are rare.
        threadPool = NIOThreadPool(numberOfThreads: 1)
        threadPool.start()
        let state = BrokerRuntime(
            configuration: configuration, loop: loop, clock: clock, logger: logger, threadPool: threadPool,
            random: random)
        gauges = state.gauges
        runtime = NIOLoopBoundBox.makeBoxSendingValue(state, eventLoop: loop)
    }

    /// Binds the server and returns the address it listens on (port 0 in the configuration picks a
    /// free port). Throws ``BrokerStartError`` when the address cannot be bound.
    @discardableResult
    public func start() async throws(BrokerStartError) -> SocketAddress {
        guard stopping.withLockedValue({ $0 == nil }) else {
            throw BrokerStartError(host: configuration.host, port: configuration.port, reason: "the broker was shut down")
        }
        let runtime = self.runtime
        let configuration = self.configuration
        if configuration.busyPollWindow > .zero, configuration.readCoalescingNap > .zero {
            throw BrokerStartError(
                host: configuration.host, port: configuration.port,
                reason: "busy-poll and read coalescing pull opposite ways (one spins after a read, the other sleeps): choose one")
        }
        do {
            if configuration.readCoalescingNap > .zero {
                let coalescer = try await EventLoopReadCoalescer.install(
                    on: loop, nap: configuration.readCoalescingNap,
                    engagementRate: configuration.readCoalescingEngagementRate)
                try await loop.submit { runtime.value.readCoalescer = coalescer.value }.get()
            } else if configuration.busyPollWindow > .zero {
                let poller = try await EventLoopBusyPoller.install(on: loop, window: configuration.busyPollWindow)
                try await loop.submit { runtime.value.busyPoller = poller.value }.get()
            }
        } catch {
            guard !configuration.pacingRequired else {
                throw BrokerStartError(host: configuration.host, port: configuration.port, reason: "\(error)")
            }
            logger.warning("\(error); running without it")
        }
        let bootstrap = ServerBootstrap(group: loop)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(
                .writeBufferWaterMark,
                value: .init(low: configuration.maxOutboundBufferSize / 2, high: configuration.maxOutboundBufferSize))
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try Self.initialize(channel, runtime: runtime, configuration: configuration)
                }
            }
        let server: Channel
        do {
            server = try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
        } catch {
            throw BrokerStartError(host: configuration.host, port: configuration.port, reason: Self.describe(error))
        }
        guard let address = server.localAddress else {
            throw BrokerStartError(host: configuration.host, port: configuration.port, reason: "no local address")
        }
        do {
            try await loop.submit { runtime.value.serverChannel = server }.get()
        } catch {
            throw BrokerStartError(host: configuration.host, port: configuration.port, reason: Self.describe(error))
        }
        logger.info("broker listening", metadata: ["address": "\(address)"])
        return address
    }

    /// A new subscriber's stream of everything the broker sees. The stream keeps the newest
    /// `bufferingNewest` events when its reader falls behind and counts what it loses
    /// (``droppedTapEvents``); routing never waits for it. It ends at shutdown.
    ///
    /// The subscription is registered on the broker's event loop right after this call returns;
    /// subscribe before ``start()`` to be sure to see every event. With `includingFrames: false` the
    /// subscriber gets no `.frame` events, and while no subscriber wants them the broker does not
    /// build them at all.
    public func tap(bufferingNewest limit: Int = 10_000, includingFrames: Bool = true) -> AsyncStream<TrafficEvent> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: TrafficEvent.self, bufferingPolicy: .bufferingNewest(max(1, limit)))
        subscribe(continuation) { $0.add(continuation, includingFrames: includingFrames) }
        return stream
    }

    /// Like ``tap(bufferingNewest:includingFrames:)``, but the events come in batches: everything the
    /// broker's event loop produced in one round (a read batch, a timer), at most
    /// `TrafficTap.maximumBatchCount` (256) events per array, in order. One stream hand-over and one
    /// wake-up of the reader per batch instead of per event. The stream keeps the newest
    /// `bufferingNewest` batches; the events of an evicted batch count in ``droppedTapEvents``.
    ///
    /// With a positive `collectingFor`, a batch is instead handed over that long after its first event
    /// (or at once when it holds 4,096 events): a reader that only needs the events every so often,
    /// such as a screen drawn at 30 frames a second, is woken at most about `1 / collectingFor` times a
    /// second however busy the broker is, at the price of seeing each event up to that much later.
    public func tapBatches(
        bufferingNewest limit: Int = 1_024, includingFrames: Bool = true, collectingFor interval: Duration = .zero
    ) -> AsyncStream<[TrafficEvent]> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: [TrafficEvent].self, bufferingPolicy: .bufferingNewest(max(1, limit)))
        let timed = interval > .zero ? interval : nil
        subscribe(continuation) { $0.add(batches: continuation, includingFrames: includingFrames, interval: timed) }
        return stream
    }

    /// Registers a tap subscriber on the event loop (`add` returns its id) and removes it when its
    /// stream ends; after shutdown began the stream is finished at once.
    private func subscribe<Element>(
        _ continuation: AsyncStream<Element>.Continuation, add: @escaping @Sendable (TrafficTap) -> Int
    ) {
        guard stopping.withLockedValue({ $0 == nil }) else {
            continuation.finish()
            return
        }
        let runtime = self.runtime
        let loop = self.loop
        loop.execute {
            let id = add(runtime.value.tap)
            runtime.value.publishGauges()
            continuation.onTermination = { _ in
                loop.execute {
                    runtime.value.tap.remove(id)
                    runtime.value.publishGauges()
                }
            }
        }
    }

    /// Changes the steering state live (docs/rules.md): switch a provider registration off or on, or
    /// replace the rules. Returns once the broker's event loop applied it, so calls made after it see
    /// it; does nothing once the broker is shut down.
    public func steer(_ change: SteeringChange) async {
        guard stopping.withLockedValue({ $0 == nil }) else { return }
        let runtime = self.runtime
        try? await loop.submit { runtime.value.steer(change) }.get()
    }

    /// What the busy-poll did so far, or nil when it is off or the broker is shut down.
    package func busyPollCounts() async -> BusyPollCounts? {
        let runtime = self.runtime
        return try? await loop.submit { runtime.value.busyPoller?.counts }.get()
    }

    /// What the read coalescing did so far, or nil when it is off or the broker is shut down.
    package func readCoalescingCounts() async -> ReadCoalescingCounts? {
        let runtime = self.runtime
        return try? await loop.submit { runtime.value.readCoalescer?.counts }.get()
    }

    /// Events lost by slow tap subscribers so far (all subscribers together, including those that left).
    public var droppedTapEvents: Int { gauges.withLockedValue { $0.droppedTapEvents } }

    /// Events lost so far by each current tap subscriber, oldest subscriber first.
    public var droppedTapEventsPerSubscriber: [Int] { gauges.withLockedValue { $0.droppedTapEventsPerSubscriber } }

    /// Calls waiting for an answer (as of the last event the broker handled).
    public var pendingCallCount: Int { gauges.withLockedValue { $0.pendingCalls } }

    /// WebSocket connections open, logged in or not (as of the last event the broker handled).
    public var connectionCount: Int { gauges.withLockedValue { $0.connections } }

    /// Graceful shutdown: stops accepting connections, refuses new requests (NO_RPC_PROVIDER), waits up
    /// to `gracePeriod` (default: the configuration's) for in-flight calls, answers the rest with
    /// RESPONSE_TIMEOUT, closes every socket, ends the tap streams and stops the broker's threads.
    public func shutdown(gracePeriod: Duration? = nil) async {
        let grace = gracePeriod ?? configuration.shutdownGracePeriod
        let task = stopping.withLockedValue { current -> Task<Void, Never> in
            if let current { return current }
            let task = Task { await self.stop(gracePeriod: grace) }
            current = task
            return task
        }
        await task.value
    }

    private func stop(gracePeriod: Duration) async {
        let runtime = self.runtime
        try? await loop.flatSubmit { runtime.value.shutDown(gracePeriod: gracePeriod) }.get()
        try? await loop.submit {
            runtime.value.busyPoller?.close()
            runtime.value.busyPoller = nil
            runtime.value.readCoalescer?.close()
            runtime.value.readCoalescer = nil
        }.get()
        try? await threadPool.shutdownGracefully()
        try? await group.shutdownGracefully()
        logger.info("broker stopped")
    }

    // MARK: Pipeline

    private static func initialize(
        _ channel: Channel, runtime: NIOLoopBoundBox<BrokerRuntime>, configuration: BrokerConfiguration
    ) throws {
        let state = runtime.value
        state.socketCount += 1
        channel.closeFuture.whenComplete { _ in runtime.value.socketCount -= 1 }
        guard state.socketCount <= configuration.maxConnections, state.isAccepting else {
            channel.close(promise: nil)
            return
        }
        let upgrader = NIOWebSocketServerUpgrader(
            maxFrameSize: configuration.maxMessageSize,
            automaticErrorHandling: true,
            shouldUpgrade: { channel, head in
                let path = HTTPRequestHandler.path(of: head.uri)
                let accepted = configuration.webSocketPaths[path] != nil
                return channel.eventLoop.makeSucceededFuture(accepted ? HTTPHeaders() : nil)
            },
            upgradePipelineHandler: { channel, head in
                let format = configuration.webSocketPaths[HTTPRequestHandler.path(of: head.uri)] ?? .binary
                return channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.addHandler(WebSocketPeerHandler(
                        runtime: runtime, format: format, maximumMessageSize: configuration.maxMessageSize))
                }
            })
        try channel.pipeline.syncOperations.configureHTTPServerPipeline(
            withServerUpgrade: (
                upgraders: [upgrader],
                completionHandler: { context in
                    context.pipeline.syncOperations.removeHandler(name: "dsconsole-http", promise: nil)
                }
            ))
        try channel.pipeline.syncOperations.addHandler(HTTPRequestHandler(
            webSocketPaths: Set(configuration.webSocketPaths.keys), healthCheckPath: configuration.healthCheckPath),
            name: "dsconsole-http")
    }

    private static func describe(_ error: any Error) -> String {
        if let error = error as? IOError { return String(cString: strerror(error.errnoCode)).lowercased() }
        return "\(error)"
    }
}
