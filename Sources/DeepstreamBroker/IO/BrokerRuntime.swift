import DeepstreamProtocol
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOWebSocket

/// The IO half of the broker: feeds socket events and timer firings into ``BrokerCore`` and performs
/// the actions it returns. Every method runs on the broker's single event loop, so nothing here
/// needs a lock; the class is only ever reached through a `NIOLoopBoundBox`.
final class BrokerRuntime {
    private struct Link {
        var channel: Channel
        var format: WireFormat
        var closing = false
    }

    let loop: EventLoop
    let configuration: BrokerConfiguration
    private var core: BrokerCore
    private let clock: any BrokerClock
    private let logger: Logger
    private let threadPool: NIOThreadPool
    private let binaryCodec: BinaryCodec
    private let jsonCodec: JSONCodec
    private var links: [PeerID: Link] = [:]
    private var timers: [BrokerTimer: Scheduled<Void>] = [:]
    let tap = TrafficTap()
    private var lastPeer: UInt64 = 0
    /// TCP connections, upgraded or not, for the `maxConnections` limit.
    var socketCount = 0
    var serverChannel: Channel?
    /// False once shutdown began: connections accepted after that are closed at once.
    var isAccepting = true
    private var drainWaiter: EventLoopPromise<Void>?
    /// Shared with `Broker` for its synchronous accessors; refreshed after every input.
    let gauges = NIOLockedValueBox(BrokerGauges())
    private var lastGauges = BrokerGauges()
    /// Connections written to since the last flush; flushed together once the current batch of
    /// socket events has been handled, so a burst of frames costs one syscall per socket.
    private var unflushed: [PeerID] = []

    init(
        configuration: BrokerConfiguration, loop: EventLoop, clock: any BrokerClock, logger: Logger,
        threadPool: NIOThreadPool, random: some RandomNumberGenerator & Sendable
    ) {
        self.loop = loop
        self.configuration = configuration
        self.core = BrokerCore(configuration: configuration, random: random)
        self.clock = clock
        self.logger = logger
        self.threadPool = threadPool
        self.binaryCodec = BinaryCodec(maximumMessageSize: configuration.maxMessageSize)
        self.jsonCodec = JSONCodec(maximumMessageSize: configuration.maxMessageSize)
    }

    var pendingCallCount: Int { core.router.pendingCallCount }
    var connectionCount: Int { links.count }

    // MARK: Socket events

    /// A WebSocket upgrade finished on `channel`.
    func open(channel: Channel, format: WireFormat) -> PeerID {
        lastPeer += 1
        let peer = PeerID(lastPeer)
        links[peer] = Link(channel: channel, format: format)
        let remote = channel.remoteAddress.map(Self.describe) ?? "unknown"
        logger.debug("connection opened", metadata: ["peer": "\(peer)", "remote": "\(remote)", "format": "\(format)"])
        handle(.connected(peer, remoteAddress: remote, format: format, at: clock.now()))
        return peer
    }

    /// A data frame arrived from `peer`.
    func received(_ payload: ByteBuffer, from peer: PeerID) {
        guard let link = links[peer], !link.closing else { return }
        let message: Message?
        switch link.format {
        case .binary:
            message = payload.withUnsafeReadableBytes { raw -> Message? in
                do throws(ProtocolError) { return try binaryCodec.decode(raw) } catch {
                    logger.debug("undecodable frame", metadata: ["peer": "\(peer)", "error": "\(error)"])
                    return nil
                }
            }
        case .json:
            do throws(ProtocolError) { message = try jsonCodec.decode(Array(payload.readableBytesView)) } catch {
                logger.debug("undecodable frame", metadata: ["peer": "\(peer)", "error": "\(error)"])
                message = nil
            }
        }
        let now = clock.now()
        if tap.wantsFrames {
            tap.publish(.frame(peer: peer, direction: .inbound, message: message, byteCount: payload.readableBytes, at: now))
        }
        handle(.received(peer, message: message, at: now))
    }

    /// The socket of `peer` closed.
    func closed(_ peer: PeerID, reason: String) {
        guard links.removeValue(forKey: peer) != nil else { return }
        logger.debug("connection closed", metadata: ["peer": "\(peer)", "reason": "\(reason)"])
        handle(.disconnected(peer, reason: reason, at: clock.now()))
    }

    // MARK: Shutdown

    /// Refuses new requests and completes once no call is pending or `gracePeriod` has passed; then
    /// fails what is left and closes every connection. The returned future completes when all sockets
    /// are closed.
    func shutDown(gracePeriod: Duration) -> EventLoopFuture<Void> {
        isAccepting = false
        let closeServer = serverChannel?.close() ?? loop.makeSucceededVoidFuture()
        serverChannel = nil
        handle(.drain(at: clock.now()))
        let drained = loop.makePromise(of: Void.self)
        drainWaiter = drained
        if pendingCallCount == 0 {
            finishDraining()
        } else {
            loop.assumeIsolated().scheduleTask(in: .nanoseconds(Self.nanoseconds(gracePeriod))) { [self] in
                finishDraining()
            }
        }
        return closeServer.recover { _ in }.and(drained.futureResult).assumeIsolated().flatMap { [self] _ in
            handle(.terminate(at: clock.now()))
            let channels = links.values.map(\.channel)
            // A peer that does not read could keep its close frame from ever being written.
            loop.assumeIsolated().scheduleTask(in: .seconds(1)) {
                for channel in channels { channel.close(promise: nil) }
            }
            return EventLoopFuture.andAllComplete(channels.map(\.closeFuture), on: loop)
        }.always { [self] _ in
            for timer in timers.values { timer.cancel() }
            timers = [:]
            publishGauges()
            tap.finishAll()
        }.nonisolated()
    }

    private func finishDraining() {
        guard let waiter = drainWaiter else { return }
        drainWaiter = nil
        waiter.succeed()
    }

    // MARK: Core

    /// Applies a live steering change from the console.
    func steer(_ change: SteeringChange) { handle(.steer(change, at: clock.now())) }

    private func handle(_ input: BrokerInput) {
        for action in core.on(input) { perform(action) }
        if drainWaiter != nil, pendingCallCount == 0 { finishDraining() }
        publishGauges()
    }

    /// Copies the counters into ``gauges`` when they changed (one uncontended lock at most).
    func publishGauges() {
        let current = BrokerGauges(
            pendingCalls: pendingCallCount, connections: links.count, droppedTapEvents: tap.droppedTotal,
            droppedTapEventsPerSubscriber: tap.droppedPerSubscriber)
        guard current != lastGauges else { return }
        lastGauges = current
        gauges.withLockedValue { $0 = current }
    }

    private func perform(_ action: BrokerAction) {
        switch action {
        case .send(let peer, let message):
            send(message, to: peer)
        case .close(let peer, let reason):
            close(peer, code: .normalClosure, reason: reason.description)
        case .armTimer(let timer, let deadline):
            timers.removeValue(forKey: timer)?.cancel()
            let delay = Self.nanoseconds(deadline.since(clock.now()))
            timers[timer] = loop.assumeIsolated().scheduleTask(in: .nanoseconds(delay)) { [self] in
                timers[timer] = nil
                let now = clock.now()
                if case .accept(let call) = timer { explainAcceptTimeout(call, due: deadline, at: now) }
                handle(.timerFired(timer, at: now))
            }
        case .cancelTimer(let timer):
            timers.removeValue(forKey: timer)?.cancel()
        case .authenticate(let peer, let authData):
            let authentication = configuration.authentication
            if authentication.isExpensive {
                let future = threadPool.runIfActive(eventLoop: loop) { authentication.authenticate(authData) }
                future.assumeIsolated().whenComplete { [self] result in
                    let outcome = (try? result.get()) ?? .failure(user: nil, clientData: nil)
                    handle(.authenticated(peer, outcome, at: clock.now()))
                }
            } else {
                handle(.authenticated(peer, authentication.authenticate(authData), at: clock.now()))
            }
        case .tap(let event):
            if tap.isActive { tap.publish(event) }
        }
    }

    /// Logs (at debug level) what an ACCEPT_TIMEOUT looked like from here: whether the timer ran late
    /// and whether the provider had gone silent, which separates a stalled peer from a lost frame.
    private func explainAcceptTimeout(_ call: CallID, due: Timestamp, at now: Timestamp) {
        guard logger.logLevel <= .debug, let pending = core.router.pendingCall(call), !pending.accepted else { return }
        func ago(_ peer: PeerID?) -> String {
            guard let peer, let last = core.lastReceived(from: peer) else { return "gone" }
            return "\(Self.nanoseconds(now.since(last)) / 1_000_000) ms"
        }
        logger.debug("accept timeout", metadata: [
            "call": "\(call.correlationId)", "requestor": "\(call.requestor.map { "\($0)" } ?? "-")",
            "provider": "\(pending.provider)", "timerLate": "\(Self.nanoseconds(now.since(due)) / 1_000_000) ms",
            "lastFrameFromProvider": "\(ago(pending.provider))", "lastFrameFromRequestor": "\(ago(call.requestor))",
            "unflushedPeers": "\(unflushed.count)",
        ])
    }

    private func send(_ message: Message, to peer: PeerID) {
        guard let link = links[peer], !link.closing else { return }
        let frame: WebSocketFrame
        switch link.format {
        case .binary:
            var buffer = link.channel.allocator.buffer(capacity: BinaryCodec.encodedSize(of: message))
            buffer.writeBytes(binaryCodec.encode(message))
            frame = WebSocketFrame(fin: true, opcode: .binary, data: buffer)
        case .json:
            frame = WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(string: jsonCodec.encode(message)))
        }
        if tap.wantsFrames {
            tap.publish(.frame(
                peer: peer, direction: .outbound, message: message, byteCount: frame.length, at: clock.now()))
        }
        link.channel.write(frame, promise: nil)
        if unflushed.isEmpty {
            loop.assumeIsolated().execute { [self] in flushAll() }
        }
        if unflushed.last != peer { unflushed.append(peer) }
    }

    private func flushAll() {
        let peers = unflushed
        unflushed = []
        for peer in peers { links[peer]?.channel.flush() }
    }

    /// Sends a close frame after whatever is queued, then closes the socket.
    func close(_ peer: PeerID, code: WebSocketErrorCode, reason: String) {
        guard var link = links[peer], !link.closing else { return }
        link.closing = true
        links[peer] = link
        var data = link.channel.allocator.buffer(capacity: 2)
        data.write(webSocketErrorCode: code)
        let channel = link.channel
        channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .connectionClose, data: data)).whenComplete { _ in
            channel.close(promise: nil)
        }
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return max(0, seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    private static func describe(_ address: SocketAddress) -> String {
        if let ip = address.ipAddress, let port = address.port { return "\(ip):\(port)" }
        return address.description
    }
}
