import Crypto
import DeepstreamProtocol
import EventLoopPacing
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import RPCSteering

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One client connection and its upstream connection: reads the client's request head, opens the
/// upstream, links the two ``ProxyHandler``s and ends both sides together. Confined to one event loop.
final class ProxiedConnection {
    let peer: PeerID
    let shared: ProxyShared
    let clientAddress: String?
    private let loop: EventLoop
    /// The loop's busy-poller (both channels of the connection are on `loop`); nil when busy-poll is off.
    let busyPoller: EventLoopBusyPoller?
    // Weak: the pipelines own the handlers and the handlers own this object, so everything is freed
    // when both channels are gone (strong references here would keep the three alive for ever).
    private weak var client: ProxyHandler?
    private weak var upstream: ProxyHandler?
    private var isWebSocket = false
    private var observing = false
    private var ended = false
    private var head: RequestHead?
    private var batch: [ObservationInput] = []
    private var batchMessages = 0
    private var clientClose: (code: UInt16?, reason: String)?
    private var serverClose: (code: UInt16?, reason: String)?
    private var failure: String?
    private(set) var upstreamForwardedBytes = false
    /// Plain HTTP: every request and response of the keep-alive connection, for `POST /api` observation.
    private var requestStream: HTTPExchangeScanner?
    private var responseStream: HTTPExchangeScanner?
    /// Requests waiting for their answer, oldest first: whether the answer is observed (`POST /api`).
    private var answersObserved: [Bool] = []
    private var exchanges: [HTTPExchangeScanner.Exchange] = []
    /// The steering of this connection's RPC frames; nil without rules (the plain byte copy).
    private var steering: ProxySteering?
    /// The `hold-skipped` step of the client frame being forwarded, for ``observeSteered(_:)``.
    private var skippedHold: ProxySteering.Outcome?

    init(
        peer: PeerID, shared: ProxyShared, clientAddress: String?, loop: EventLoop,
        busyPoller: EventLoopBusyPoller? = nil
    ) {
        self.peer = peer
        self.busyPoller = busyPoller
        self.shared = shared
        self.clientAddress = clientAddress
        self.loop = loop
        Self.live.withLockedValue { $0 += 1 }
        let weak = WeakConnection()
        weak.value = self
        shared.connections.withLockedValue { $0[peer] = NIOLoopBound(weak, eventLoop: loop) }
    }

    deinit {
        let peer = self.peer
        shared.connections.withLockedValue { $0[peer] = nil }
        Self.live.withLockedValue { $0 -= 1 }
    }

    /// Connections not yet freed (for the leak test).
    static let live = NIOLockedValueBox(0)

    /// The client side's handler, for the caller to add to the accepted channel's pipeline.
    func makeClientHandler() -> ProxyHandler {
        let handler = ProxyHandler(role: .client, connection: self, scanner: FrameScanner(mode: .opaque))
        client = handler
        return handler
    }

    // MARK: Request head and upstream

    private var headTimer: Scheduled<Void>?

    /// Arms the head timer: a client that never completes its request head does not hold a connection.
    func clientActive(on loop: EventLoop) {
        let timeout = shared.configuration.headTimeout
        let nanoseconds = Int64(timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
        let bound = NIOLoopBound(self, eventLoop: loop)
        headTimer = loop.scheduleTask(in: .nanoseconds(nanoseconds)) {
            let connection = bound.value
            guard connection.head == nil, let context = connection.client?.context else { return }
            context.close(promise: nil)
        }
    }

    func headBytesArrived(from handler: ProxyHandler) {
        guard let buffer = handler.headBytes else { return }
        switch RequestHead.scan(buffer.readableBytesView, limit: 16 * 1024) {
        case .incomplete:
            return
        case .failed(let problem):
            _ = handler.takeHeadBuffer()
            let status = problem == .tooLarge ? "431 Request Header Fields Too Large" : "400 Bad Request"
            respondAndClose(Self.plainResponse(status: status, body: "dsconsole proxy: not an HTTP/1.1 request\n"))
        case .complete(let head, let length):
            guard var rest = handler.takeHeadBuffer() else { return }
            rest.moveReaderIndex(forwardBy: length)
            connectUpstream(head, rest: rest)
        }
    }

    private func connectUpstream(_ head: RequestHead, rest: ByteBuffer) {
        self.head = head
        headTimer?.cancel()
        headTimer = nil
        isWebSocket = head.isWebSocketUpgrade
        let limit = shared.configuration.observationLimit
        guard let client else { return }
        if isWebSocket {
            observing = true
            batch.append(.opened(peer, remoteAddress: clientAddress ?? "?", path: head.target, node: shared.node, at: shared.clock()))
            client.scanner = FrameScanner(mode: .frames, observationLimit: limit)
        } else {
            // RPCs over the HTTP API: every request of the keep-alive connection is followed, and the
            // bodies of `POST /api` requests and of their answers are observed.
            requestStream = HTTPExchangeScanner(requestsAfter: head, limit: limit)
            responseStream = HTTPExchangeScanner(responsesWithLimit: limit)
            if HTTPExchangeScanner.hasNoBody(head) { requestCompleted(head, body: []) }
        }
        let upstreamHandler = ProxyHandler(
            role: .upstream, connection: self,
            scanner: FrameScanner(mode: isWebSocket ? .responseHead : .opaque, observationLimit: limit))
        upstream = upstreamHandler
        let configuration = shared.configuration
        let bound = NIOLoopBound(upstreamHandler, eventLoop: loop)
        let sslContext = shared.sslContext
        let upstreamHost = configuration.upstream.host
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(.nanoseconds(Int64(configuration.connectTimeout.components.seconds) * 1_000_000_000
                + configuration.connectTimeout.components.attoseconds / 1_000_000_000))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelOption(
                .writeBufferWaterMark,
                value: .init(low: configuration.bufferSize / 2, high: configuration.bufferSize))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        let serverName = upstreamHost.first?.isNumber == true || upstreamHost.contains(":") ? nil : upstreamHost
                        try channel.pipeline.syncOperations.addHandler(
                            try NIOSSLClientHandler(context: sslContext, serverHostname: serverName))
                    }
                    try channel.pipeline.syncOperations.addHandler(bound.value)
                }
            }
        let headBytes = head.forwarded(host: configuration.upstream.hostHeader, clientAddress: clientAddress)
        bootstrap.connect(host: configuration.upstream.host, port: configuration.upstream.port)
            .assumeIsolated()
            .whenComplete { result in
                switch result {
                case .success(let channel):
                    self.upstreamConnected(channel, handler: upstreamHandler, head: headBytes, rest: rest)
                case .failure(let error):
                    self.upstreamUnreachable(error)
                }
            }
    }

    private func upstreamConnected(_ channel: Channel, handler: ProxyHandler, head: [UInt8], rest: ByteBuffer) {
        guard !ended, let client, client.isActive, let upstreamContext = handler.context else {
            channel.close(promise: nil)
            return
        }
        client.partner = handler
        handler.partner = client
        let rules = shared.rules.withLockedValue { $0 }
        if isWebSocket, !rules.isEmpty {
            // Only with rules: both directions are cut into whole frames (ProxyHandler.forwardFrames).
            steering = ProxySteering(rules: rules, random: SystemRandomNumberGenerator(), holdsCalls: shared.configuration.holdsCalls, format: steeringFormat)
            client.cutter = FrameCutter(expectingResponseHead: false)
            handler.cutter = FrameCutter(expectingResponseHead: true)
        }
        upstreamContext.write(NIOAny(channel.allocator.buffer(bytes: head)), promise: nil)
        if rest.readableBytes > 0 { client.forward(rest) }
        if let early = client.takeEarlyBytes(), early.readableBytes > 0 { client.forward(early) }
        if let early = handler.takeEarlyBytes(), early.readableBytes > 0 { handler.forward(early) }
        upstreamContext.flush()
        client.context?.flush()
        client.scanForwarded()
        handler.scanForwarded()
        submitObservations()
        client.resumeReading()
        handler.resumeReading()
    }

    private func upstreamUnreachable(_ error: any Error) {
        shared.count { $0.upstreamFailures += 1 }
        let reason = "upstream \(shared.configuration.upstream.description) unreachable: \(Self.describe(error))"
        failure = reason
        end(reason)
        closeClientAfterUpstreamLoss(reason: reason)
    }

    // MARK: Steering

    /// The wire format steering decodes and encodes: JSON text frames on `/deepstream-json`, binary
    /// otherwise.
    private var steeringFormat: WireFormat { head?.path == "/deepstream-json" ? .json : .binary }

    /// The opcode of frames the proxy makes on this connection (1 text, 2 binary).
    var steeringOpcode: UInt8 { steering?.opcode ?? 2 }

    /// What to do with a frame the client sent (steering on).
    func steerClientFrame(_ frame: CutFrame) -> ProxySteering.Outcome {
        guard steering != nil else { return ProxySteering.Outcome(action: .forward, step: nil) }
        let outcome = steering?.clientFrame(frame) ?? ProxySteering.Outcome(action: .forward, step: nil)
        if let skipped = steering?.takeSkippedHold() {
            shared.count { $0.holdsSkipped += 1 }
            // Shown after the frame's own observation (observeSteered), so the call exists by then.
            skippedHold = skipped
        }
        return outcome
    }

    /// The console resolved a REQUEST held on this connection (release, answer, reject, drop); nothing
    /// happens when it is no longer held or typed data is not JSON.
    func resolveHeld(correlationId: String, _ resolution: HeldCallResolution) {
        guard let client, let upstream else { return }
        // A direction that gave up cutting (a frame over the limit, bytes that are not frames) is a raw
        // byte stream again: a frame of the proxy's could land inside another, so nothing is sent.
        switch resolution {
        case .release:
            guard client.cutter?.isCutting == true else { return }
        case .respond, .fail, .reject:
            guard upstream.cutter?.isCutting == true else { return }
        case .drop:
            break
        }
        guard let outcome = steering?.resolveHeld(correlationId: correlationId, resolution) else { return }
        observeSteered(outcome)
        client.carryOut(outcome.action)
        if case .drop = resolution, observing, let name = outcome.name {
            // Nothing more will ever cross the proxy for it: the server never saw it.
            batch.append(.heldEnded(
                name: name, correlationId: correlationId,
                reason: "dropped in the proxy (the requestor's client times out on its own)", at: shared.clock()))
        }
        submitObservations()
    }

    /// What to do with a frame the server sent (steering on).
    func steerServerFrame(_ frame: CutFrame) -> ProxySteering.Outcome {
        steering?.serverFrame(frame) ?? ProxySteering.Outcome(action: .forward, step: nil)
    }

    /// The console switched one of this client's provider registrations off or on. Without rules the
    /// connection is still a byte copy: each direction starts cutting frames at its next frame boundary
    /// (the REJECTs the proxy writes wait for the client→server one).
    func switchProvider(name: String, off: Bool) {
        guard isWebSocket, let client, let upstream else { return }
        if steering == nil {
            steering = ProxySteering(rules: shared.rules.withLockedValue { $0 }, random: SystemRandomNumberGenerator(), holdsCalls: shared.configuration.holdsCalls, format: steeringFormat)
        }
        steering?.setSwitchedOff(name, off)
        client.startCuttingAtBoundary()
        upstream.startCuttingAtBoundary()
    }

    /// New rules from the console: in force from the next frame; a byte-copying connection starts
    /// cutting frames at its next boundary in each direction.
    func replaceRules(_ rules: SteeringRules) {
        guard isWebSocket, let client, let upstream else { return }
        if steering == nil {
            guard !rules.isEmpty else { return }
            steering = ProxySteering(rules: rules, random: SystemRandomNumberGenerator(), holdsCalls: shared.configuration.holdsCalls, format: steeringFormat)
        } else {
            steering?.replaceRules(rules)
        }
        client.startCuttingAtBoundary()
        upstream.startCuttingAtBoundary()
    }

    /// Records that a rule acted on a call (shown in the call's timeline).
    func observeSteered(_ outcome: ProxySteering.Outcome) {
        if let skipped = skippedHold, observing, let step = skipped.step, let name = skipped.name,
            let correlationId = skipped.correlationId
        {
            skippedHold = nil
            batch.append(.steered(name: name, correlationId: correlationId, step: step, at: shared.clock()))
            batchMessages += 1
        }
        guard observing, let step = outcome.step, let name = outcome.name, let correlationId = outcome.correlationId else { return }
        batch.append(.steered(name: name, correlationId: correlationId, step: step, at: shared.clock()))
        batchMessages += 1
    }

    // MARK: Observation

    func observe(_ messages: [ScannedMessage], direction: FrameDirection) {
        if direction == .outbound, !messages.isEmpty { upstreamForwardedBytes = true }
        for message in messages where message.kind == .close {
            if direction == .inbound { clientClose = message.closeStatus } else { serverClose = message.closeStatus }
        }
        guard observing, !messages.isEmpty else { return }
        // One input per read batch: the array travels to the observer as is (no enum per message).
        batch.append(.messages(peer, direction, messages, at: shared.clock()))
        batchMessages += messages.count
    }

    /// Plain HTTP bytes that were forwarded: followed request by request for `POST /api` observation.
    func forwardedPlain(_ bytes: ByteBuffer, from role: ProxyHandler.Role) {
        guard !isWebSocket else { return }
        if role == .client, var stream = requestStream {
            bytes.withUnsafeReadableBytes { stream.scan($0, into: &exchanges) }
            requestStream = stream.isOff ? nil : stream
            for exchange in exchanges {
                if let head = exchange.head { requestCompleted(head, body: exchange.body) }
            }
        } else if role == .upstream, var stream = responseStream {
            bytes.withUnsafeReadableBytes { stream.scan($0, into: &exchanges) }
            responseStream = stream.isOff ? nil : stream
            for exchange in exchanges {
                answerCompleted(status: exchange.status, body: exchange.body)
            }
        }
        exchanges.removeAll(keepingCapacity: true)
    }

    /// A request of a plain HTTP connection went upstream in full.
    private func requestCompleted(_ head: RequestHead, body: [UInt8]) {
        shared.count { $0.httpRequests += 1 }
        let observed = head.method == "POST" && head.path == "/api"
        if observed {
            if !observing {
                observing = true
                batch.append(.opened(peer, remoteAddress: clientAddress ?? "?", path: head.target, node: shared.node, at: shared.clock()))
            }
            batch.append(.httpRequest(peer, body: body, at: shared.clock()))
            batchMessages += 1
        }
        // Bounded: a client pipelining without end stops being observed rather than growing this.
        guard answersObserved.count < 1024 else {
            requestStream = nil
            responseStream = nil
            return
        }
        answersObserved.append(observed)
    }

    /// The server's answer to the oldest open request arrived in full.
    private func answerCompleted(status: Int?, body: [UInt8]) {
        guard !answersObserved.isEmpty, answersObserved.removeFirst() else { return }
        batch.append(.httpResponse(peer, status: status, body: body, at: shared.clock()))
        batchMessages += 1
    }

    /// Marks that the upstream sent bytes the client got (so the proxy no longer answers for it).
    func upstreamSentBytes() { upstreamForwardedBytes = true }

    func submitObservations() {
        guard !batch.isEmpty else { return }
        shared.queue.submit(batch, messages: batchMessages)
        batch.removeAll(keepingCapacity: true)
        batchMessages = 0
    }

    // MARK: Ending

    func sideFailed(_ handler: ProxyHandler, error: any Error) {
        guard failure == nil else { return }
        if handler.role == .upstream {
            failure = "upstream \(shared.configuration.upstream.description) failed: \(Self.describe(error))"
        }
    }

    func sideClosed(_ handler: ProxyHandler) {
        switch handler.role {
        case .client:
            let reason: String
            if let serverClose {
                reason = "server closed" + Self.describe(serverClose)
            } else if let clientClose {
                reason = "client closed" + Self.describe(clientClose)
            } else {
                reason = "client went away"
            }
            end(reason)
            upstream?.context?.close(promise: nil)
        case .upstream:
            let reason: String
            if let serverClose {
                reason = "server closed" + Self.describe(serverClose)
            } else if let failure {
                reason = failure
            } else {
                reason = "upstream \(shared.configuration.upstream.description) closed the connection"
            }
            end(reason)
            closeClientAfterUpstreamLoss(reason: reason)
        }
    }

    private func end(_ reason: String) {
        guard !ended else { return }
        ended = true
        let stillHeld = steering?.endHeld() ?? []
        if observing {
            let now = shared.clock()
            for call in stillHeld {
                batch.append(.heldEnded(
                    name: call.name, correlationId: call.correlationId,
                    reason: "the connection ended while it was held in the proxy (\(reason))", at: now))
            }
            batch.append(.closed(peer, reason: reason, at: now))
            submitObservations()
        }
        shared.count { $0.connectionsOpen -= 1 }
    }

    /// Ends the client side after the upstream is gone: a WebSocket client gets a close frame with code
    /// 1014 (bad gateway) naming the upstream whenever one can be inserted cleanly (after its own
    /// handshake if the upstream never answered, or between two frames); an HTTP client that got no
    /// answer gets 502.
    private func closeClientAfterUpstreamLoss(reason: String) {
        guard let context = client?.context, context.channel.isActive else { return }
        let upstreamScanner = upstream?.scanner
        var tail = context.channel.allocator.buffer(capacity: 256)
        if isWebSocket {
            if !upstreamForwardedBytes && upstreamScanner?.mode != .frames, let head {
                tail.writeString(Self.switchingProtocols(key: head.value(of: "sec-websocket-key") ?? ""))
                tail.writeBytes(Self.closeFrame(code: 1014, reason: reason))
            } else if let upstreamScanner, upstreamScanner.mode == .frames, upstreamScanner.isAtFrameBoundary,
                !upstreamScanner.sawClose
            {
                tail.writeBytes(Self.closeFrame(code: 1014, reason: reason))
            }
        } else if !upstreamForwardedBytes {
            tail.writeString(Self.plainResponse(status: "502 Bad Gateway", body: "dsconsole proxy: \(reason)\n"))
        }
        let channel = context.channel
        context.writeAndFlush(NIOAny(tail)).whenComplete { _ in channel.close(promise: nil) }
    }

    private func respondAndClose(_ response: String) {
        guard let context = client?.context else { return }
        let channel = context.channel
        context.writeAndFlush(NIOAny(channel.allocator.buffer(string: response))).whenComplete { _ in
            channel.close(promise: nil)
        }
    }

    // MARK: Wire helpers

    static func plainResponse(status: String, body: String) -> String {
        "HTTP/1.1 \(status)\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: \(body.utf8.count)\r\n"
            + "Connection: close\r\n\r\n\(body)"
    }

    static func switchingProtocols(key: String) -> String {
        let digest = Insecure.SHA1.hash(data: Array((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").utf8))
        return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Accept: \(base64(Array(digest)))\r\n\r\n"
    }

    /// An unmasked close frame (server to client); the reason is cut to the 123 bytes a close frame allows.
    static func closeFrame(code: UInt16, reason: String) -> [UInt8] {
        var reasonBytes = Array(reason.utf8.prefix(123))
        while String(validating: reasonBytes, as: UTF8.self) == nil { reasonBytes.removeLast() }
        return [0x88, UInt8(2 + reasonBytes.count), UInt8(code >> 8), UInt8(code & 0xFF)] + reasonBytes
    }

    static func base64(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            let b0 = bytes[i]
            let b1 = i + 1 < bytes.count ? bytes[i + 1] : 0
            let b2 = i + 2 < bytes.count ? bytes[i + 2] : 0
            out.append(alphabet[Int(b0 >> 2)])
            out.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
            out.append(i + 1 < bytes.count ? alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)] : UInt8(ascii: "="))
            out.append(i + 2 < bytes.count ? alphabet[Int(b2 & 0x3F)] : UInt8(ascii: "="))
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func describe(_ close: (code: UInt16?, reason: String)) -> String {
        guard let code = close.code else { return "" }
        return close.reason.isEmpty ? " (\(code))" : " (\(code) \(close.reason))"
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? IOError { return String(cString: strerror(error.errnoCode)).lowercased() }
        if let error = error as? NIOConnectionError {
            if let first = error.connectionErrors.first { return describe(first.error) }
            if let dns = error.dnsAError ?? error.dnsAAAAError { return "cannot resolve \(error.host): \(dns)" }
            return "cannot resolve \(error.host)"
        }
        if let error = error as? ChannelError, case .connectTimeout = error { return "connect timed out" }
        if let error = error as? NIOSSLError { return "TLS: \(error)" }
        if let error = error as? BoringSSLError { return "TLS: \(error)" }
        return "\(error)"
    }
}
