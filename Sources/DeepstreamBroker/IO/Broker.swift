import DeepstreamProtocol
import Logging
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
    private let logger: Logger

    /// Creates a broker (nothing is bound until ``start()``).
    /// - Parameters:
    ///   - clock: source of deadlines and tap timestamps.
    ///   - random: chooses among providers of a name.
    public init(
        configuration: BrokerConfiguration,
        logger: Logger = Logger(label: "dsconsole.broker"),
        clock: any BrokerClock = SystemBrokerClock(),
        random: some RandomNumberGenerator & Sendable = SystemRandomNumberGenerator()
    ) {
        self.configuration = configuration
        self.logger = logger
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        loop = group.next()
        // One thread: password hashing is slow and must not run on the event loop, but logins are rare.
        threadPool = NIOThreadPool(numberOfThreads: 1)
        threadPool.start()
        runtime = NIOLoopBoundBox.makeBoxSendingValue(
            BrokerRuntime(
                configuration: configuration, loop: loop, clock: clock, logger: logger, threadPool: threadPool,
                random: random),
            eventLoop: loop)
    }

    /// Binds the server and returns the address it listens on (port 0 in the configuration picks a
    /// free port). Throws ``BrokerStartError`` when the address cannot be bound.
    @discardableResult
    public func start() async throws(BrokerStartError) -> SocketAddress {
        let runtime = self.runtime
        let configuration = self.configuration
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
    /// subscribe before ``start()`` to be sure to see every event.
    public func tap(bufferingNewest limit: Int = 10_000) -> AsyncStream<TrafficEvent> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: TrafficEvent.self, bufferingPolicy: .bufferingNewest(max(1, limit)))
        let runtime = self.runtime
        let loop = self.loop
        loop.execute {
            let id = runtime.value.tap.add(continuation)
            continuation.onTermination = { _ in loop.execute { runtime.value.tap.remove(id) } }
        }
        return stream
    }

    /// Events lost by slow tap subscribers so far (all subscribers together).
    public var droppedTapEvents: Int {
        get async { (try? await loop.submit { [runtime] in runtime.value.tap.droppedTotal }.get()) ?? 0 }
    }

    /// Events lost so far by each current tap subscriber, oldest subscriber first.
    public var droppedTapEventsPerSubscriber: [Int] {
        get async { (try? await loop.submit { [runtime] in runtime.value.tap.droppedPerSubscriber }.get()) ?? [] }
    }

    /// Calls waiting for an answer right now.
    public var pendingCallCount: Int {
        get async { (try? await loop.submit { [runtime] in runtime.value.pendingCallCount }.get()) ?? 0 }
    }

    /// Logged-in or not, WebSocket connections open right now.
    public var connectionCount: Int {
        get async { (try? await loop.submit { [runtime] in runtime.value.connectionCount }.get()) ?? 0 }
    }

    /// Graceful shutdown: stops accepting connections, refuses new requests (NO_RPC_PROVIDER), waits up
    /// to `gracePeriod` (default: the configuration's) for in-flight calls, answers the rest with
    /// RESPONSE_TIMEOUT, closes every socket, ends the tap streams and stops the broker's threads.
    public func shutdown(gracePeriod: Duration? = nil) async {
        let grace = gracePeriod ?? configuration.shutdownGracePeriod
        let runtime = self.runtime
        let done = loop.flatSubmit { runtime.value.shutDown(gracePeriod: grace) }
        try? await done.get()
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
        guard state.socketCount <= configuration.maxConnections, state.serverChannel != nil else {
            channel.close(promise: nil)
            return
        }
        let upgrader = NIOWebSocketServerUpgrader(
            maxFrameSize: configuration.maxMessageSize,
            automaticErrorHandling: true,
            shouldUpgrade: { channel, head in
                let path = HTTPRequestHandler.path(of: head.uri)
                let accepted = HTTPRequestHandler.webSocketPaths.contains(path)
                return channel.eventLoop.makeSucceededFuture(accepted ? HTTPHeaders() : nil)
            },
            upgradePipelineHandler: { channel, head in
                let format: WireFormat = HTTPRequestHandler.path(of: head.uri) == "/deepstream-json" ? .json : .binary
                return channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.addHandler(NIOWebSocketFrameAggregator(
                        minNonFinalFragmentSize: 1, maxAccumulatedFrameCount: 1024,
                        maxAccumulatedFrameSize: configuration.maxMessageSize))
                    try pipeline.addHandler(WebSocketPeerHandler(runtime: runtime, format: format))
                }
            })
        try channel.pipeline.syncOperations.configureHTTPServerPipeline(
            withServerUpgrade: (
                upgraders: [upgrader],
                completionHandler: { context in
                    context.pipeline.syncOperations.removeHandler(name: "dsconsole-http", promise: nil)
                }
            ))
        try channel.pipeline.syncOperations.addHandler(HTTPRequestHandler(), name: "dsconsole-http")
    }

    private static func describe(_ error: any Error) -> String {
        if let error = error as? IOError { return String(cString: strerror(error.errnoCode)).lowercased() }
        return "\(error)"
    }
}
