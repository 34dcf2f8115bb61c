import DeepstreamProtocol
import EventLoopPacing
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOWebSocket

/// The IO half of the broker: feeds socket events and timer firings into ``BrokerCore`` and performs
/// the actions it returns. Every method runs on the broker's single event loop, so nothing here
/// needs a lock; the class is only ever reached through a `NIOLoopBoundBox`.
final class BrokerRuntime {
    /// One upgraded connection. A class, so queuing a frame is one dictionary look-up and no write-back;
    /// its handler keeps it, so a received frame needs no look-up at all.
    ///
    /// Its mutable fields, like the runtime's own hot-path state below, are `@exclusivity(unchecked)`:
    /// the runtime's dynamic exclusivity checks cost about 5 % of the broker's CPU (perf4 profile). That
    /// is safe because every access runs on the broker's one event loop, and none of them spans a call
    /// that could reach the same property again: each is a read, an assignment, or a mutation of a
    /// value type (`BrokerCore`, `DeadlineQueue`, arrays, dictionaries) that calls no IO code.
    final class Link {
        let peer: PeerID
        let channel: Channel
        let format: WireFormat
        /// The context of the connection's `WebSocketFrameEncoder`: frames are encoded here and the
        /// batch is written from that point of the pipeline as one buffer.
        let output: ChannelHandlerContext?
        @exclusivity(unchecked) var closing = false
        /// Whole WebSocket frames (header and payload) not yet handed to the channel.
        @exclusivity(unchecked) var pending: ByteBuffer?
        /// Whether the link is in ``BrokerRuntime/unflushed``.
        @exclusivity(unchecked) var queued = false

        init(peer: PeerID, channel: Channel, format: WireFormat, output: ChannelHandlerContext?) {
            self.peer = peer
            self.channel = channel
            self.format = format
            self.output = output
        }
    }

    let loop: EventLoop
    let configuration: BrokerConfiguration
    @exclusivity(unchecked) private var core: BrokerCore
    private let clock: any BrokerClock
    private let logger: Logger
    private let threadPool: NIOThreadPool
    private let binaryCodec: BinaryCodec
    private let jsonCodec: JSONCodec
    @exclusivity(unchecked) private var links: [PeerID: Link] = [:]
    /// Armed core timers; one NIO scheduled task (``wake``) runs for the earliest deadline, instead
    /// of one per timer (two per call).
    @exclusivity(unchecked) private var deadlines = DeadlineQueue()
    @exclusivity(unchecked) private var wake: (deadline: Timestamp, task: Scheduled<Void>)?
    /// Reused for every input, so handling one costs no array allocation.
    @exclusivity(unchecked) private var actionBuffer: [BrokerAction] = []
    let tap = TrafficTap()
    private var lastPeer: UInt64 = 0
    /// TCP connections, upgraded or not, for the `maxConnections` limit.
    var socketCount = 0
    var serverChannel: Channel?
    /// False once shutdown began: connections accepted after that are closed at once.
    var isAccepting = true
    @exclusivity(unchecked) private var drainWaiter: EventLoopPromise<Void>?
    /// Shared with `Broker` for its synchronous accessors; refreshed after every input.
    let gauges = NIOLockedValueBox(BrokerGauges())
    private var lastGauges = BrokerGauges()
    /// Connections written to since the last flush. Each gets one write and one flush per batch:
    /// at `channelReadComplete` of the connection that was read, or at the latest when the loop runs
    /// the flush task queued with the first frame of the batch.
    @exclusivity(unchecked) private var unflushed: [Link] = []
    @exclusivity(unchecked) private var flushScheduled = false
    /// Keeps the loop polling after each read batch (`busyPollWindow`); nil when that is zero.
    var busyPoller: EventLoopBusyPoller?
    /// Naps after read batches under sustained traffic (`readCoalescingNap`); nil when that is zero.
    var readCoalescer: EventLoopReadCoalescer?

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
        // Batch subscribers get this round's events in one hand-over when the loop runs the task.
        tap.scheduleFlush = { [loop, weak tap] in
            loop.assumeIsolated().execute { tap?.flush() }
        }
        tap.scheduleAfter = { [loop] delay, work in
            loop.assumeIsolated().scheduleTask(in: .nanoseconds(Self.nanoseconds(delay))) { work() }
        }
    }

    var pendingCallCount: Int { core.router.pendingCallCount }
    var connectionCount: Int { links.count }

    // MARK: Socket events

    /// A WebSocket upgrade finished on `channel`; the returned link is what the connection's handler
    /// passes with each frame.
    func open(channel: Channel, format: WireFormat, output: ChannelHandlerContext?) -> Link {
        lastPeer += 1
        let peer = PeerID(lastPeer)
        let link = Link(peer: peer, channel: channel, format: format, output: output)
        links[peer] = link
        let remote = channel.remoteAddress.map(Self.describe) ?? "unknown"
        logger.debug("connection opened", metadata: ["peer": "\(peer)", "remote": "\(remote)", "format": "\(format)"])
        handle(.connected(peer, remoteAddress: remote, format: format, at: clock.now()))
        publishGauges()
        return link
    }

    /// A data frame arrived on `link`.
    func received(_ payload: UnsafeRawBufferPointer, on link: Link) {
        // No frame arrives after the socket closed: the handler drops its link in `channelInactive`.
        guard !link.closing else { return }
        let peer = link.peer
        let message: Message?
        switch link.format {
        case .binary:
            do throws(ProtocolError) { message = try binaryCodec.decode(payload) } catch {
                logger.debug("undecodable frame", metadata: ["peer": "\(peer)", "error": "\(error)"])
                message = nil
            }
        case .json:
            do throws(ProtocolError) { message = try jsonCodec.decode(Array(payload)) } catch {
                logger.debug("undecodable frame", metadata: ["peer": "\(peer)", "error": "\(error)"])
                message = nil
            }
        }
        let now = clock.now()
        if tap.wantsFrames {
            tap.publish(.frame(peer: peer, direction: .inbound, message: message, byteCount: payload.count, at: now))
        }
        // Straight to the core's frame entry point: no `BrokerInput` built around the message.
        var actions = takeActionBuffer()
        core.receive(message, from: peer, at: now, into: &actions)
        perform(&actions)
    }

    /// The socket of `peer` closed.
    func closed(_ peer: PeerID, reason: String) {
        guard links.removeValue(forKey: peer) != nil else { return }
        logger.debug("connection closed", metadata: ["peer": "\(peer)", "reason": "\(reason)"])
        handle(.disconnected(peer, reason: reason, at: clock.now()))
        publishGauges()
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
            wake?.task.cancel()
            wake = nil
            deadlines.removeAll()
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
    func steer(_ change: SteeringChange) {
        handle(.steer(change, at: clock.now()))
        publishGauges()
    }

    /// Feeds one input to the core and performs the actions. Gauges are published by the caller, or
    /// once per read batch by ``flushAll()``.
    private func handle(_ input: BrokerInput) {
        var actions = takeActionBuffer()
        core.on(input, into: &actions)
        perform(&actions)
    }

    /// The reused action buffer, taken out while its actions are performed: an action may feed another
    /// input (a cheap login check). Also brings the core's call events in line with the tap.
    private func takeActionBuffer() -> [BrokerAction] {
        var actions: [BrokerAction] = []
        swap(&actions, &actionBuffer)
        // Call events nobody would receive are not built.
        if core.emitsCallEvents != tap.isActive { core.emitsCallEvents = tap.isActive }
        return actions
    }

    /// Performs `actions` in order and puts the emptied buffer back for the next input.
    private func perform(_ actions: inout [BrokerAction]) {
        // Each action is performed where it lies: copying it out of the array first retained and
        // released every string in it (the buffer is this function's alone while it runs).
        actions.withUnsafeBufferPointer { buffer in
            for index in buffer.indices { perform(buffer[index]) }
        }
        actions.removeAll(keepingCapacity: true)
        swap(&actions, &actionBuffer)
        if drainWaiter != nil, pendingCallCount == 0 { finishDraining() }
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
            deadlines.arm(timer, at: deadline)
            if let wake, wake.deadline <= deadline { break }
            scheduleWake(at: deadline)
        case .cancelTimer(let timer):
            deadlines.cancel(timer)
        case .authenticate(let peer, let authData):
            let authentication = configuration.authentication
            if authentication.isExpensive {
                let future = threadPool.runIfActive(eventLoop: loop) { authentication.authenticate(authData) }
                future.assumeIsolated().whenComplete { [self] result in
                    let outcome = (try? result.get()) ?? .failure(user: nil, clientData: nil)
                    handle(.authenticated(peer, outcome, at: clock.now()))
                    publishGauges()
                }
            } else {
                handle(.authenticated(peer, authentication.authenticate(authData), at: clock.now()))
            }
        case .tap(let event):
            if tap.isActive { tap.publish(event) }
        }
    }

    /// Runs the NIO task for the earliest armed deadline at `deadline` (replacing an earlier one).
    private func scheduleWake(at deadline: Timestamp) {
        wake?.task.cancel()
        let delay = Self.nanoseconds(deadline.since(clock.now()))
        let task = loop.assumeIsolated().scheduleTask(in: .nanoseconds(delay)) { [self] in
            wake = nil
            fireDueTimers()
        }
        wake = (deadline, task)
    }

    /// Feeds every timer whose deadline has passed to the core, then waits for the next one.
    private func fireDueTimers() {
        let now = clock.now()
        while let (timer, deadline) = deadlines.popDue(at: now) {
            if case .accept(let call) = timer { explainAcceptTimeout(call, due: deadline, at: now) }
            handle(.timerFired(timer, at: now))
        }
        if let next = deadlines.earliest(), wake.map({ next < $0.deadline }) ?? true { scheduleWake(at: next) }
        publishGauges()
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
        guard let output = link.output else {
            sendFrame(message, on: link)
            return
        }
        // Taken out of the link so the buffer is uniquely referenced: appending must not copy it.
        var buffer = link.pending ?? output.channel.allocator.buffer(capacity: 1024)
        link.pending = nil
        let payloadSize: Int
        switch link.format {
        case .binary:
            payloadSize = BinaryCodec.encodedSize(of: message)
            Self.writeFrameHeader(opcode: .binary, length: payloadSize, into: &buffer)
            // Encoded in place: no intermediate array, no copy.
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: payloadSize) { binaryCodec.encode(message, into: $0) }
        case .json:
            let text = jsonCodec.encode(message)
            payloadSize = text.utf8.count
            Self.writeFrameHeader(opcode: .text, length: payloadSize, into: &buffer)
            buffer.writeString(text)
        }
        link.pending = buffer
        if tap.wantsFrames {
            tap.publish(.frame(peer: peer, direction: .outbound, message: message, byteCount: payloadSize, at: clock.now()))
        }
        queue(link)
    }

    /// The slow path for a connection whose frame encoder was not found: one `WebSocketFrame` write.
    private func sendFrame(_ message: Message, on link: Link) {
        let frame: WebSocketFrame
        switch link.format {
        case .binary:
            var buffer = link.channel.allocator.buffer(capacity: BinaryCodec.encodedSize(of: message))
            buffer.writeBytes(binaryCodec.encode(message))
            frame = WebSocketFrame(fin: true, opcode: .binary, data: buffer)
        case .json:
            frame = WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(string: jsonCodec.encode(message)))
        }
        link.channel.write(frame, promise: nil)
        queue(link)
    }

    private func queue(_ link: Link) {
        guard !link.queued else { return }
        link.queued = true
        unflushed.append(link)
        if !flushScheduled {
            flushScheduled = true
            loop.assumeIsolated().execute { [self] in
                flushScheduled = false
                flushAll()
            }
        }
    }

    /// An unmasked server frame header (FIN set), RFC 6455 §5.2.
    private static func writeFrameHeader(opcode: WebSocketOpcode, length: Int, into buffer: inout ByteBuffer) {
        let first = 0x80 | UInt8(webSocketOpcode: opcode)
        if length < 126 {
            buffer.writeMultipleIntegers(first, UInt8(length))
        } else if length <= Int(UInt16.max) {
            buffer.writeMultipleIntegers(first, UInt8(126), UInt16(length))
        } else {
            buffer.writeMultipleIntegers(first, UInt8(127), UInt64(length))
        }
    }

    /// Publishes the gauges, then writes and flushes every connection written to since the last call
    /// (one write and one flush each). Called at the end of every read batch. Gauges go first so that
    /// a peer which reads an answer never then sees a gauge from before it (tests read them right after).
    func flushAll() {
        publishGauges()
        if !unflushed.isEmpty {
            var links: [Link] = []
            swap(&links, &unflushed)
            for link in links { flush(link) }
            links.removeAll(keepingCapacity: true)
            if unflushed.isEmpty { swap(&links, &unflushed) }
        }
    }

    private func flush(_ link: Link) {
        link.queued = false
        if let output = link.output {
            guard let buffer = link.pending else { return }
            link.pending = nil
            output.write(NIOAny(buffer), promise: nil)
            output.flush()
        } else {
            link.channel.flush()
        }
    }

    /// Sends a close frame after whatever is queued, then closes the socket.
    func close(_ peer: PeerID, code: WebSocketErrorCode, reason: String) {
        guard let link = links[peer], !link.closing else { return }
        // Frames queued before the close frame go first.
        if link.queued { flush(link) }
        link.closing = true
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
