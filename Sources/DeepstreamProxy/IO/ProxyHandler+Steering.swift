import DeepstreamProtocol
import NIOCore

/// The forwarding path with steering rules loaded (docs/rules.md): bytes are cut into whole frames,
/// each RPC frame gets the steering's verdict, and frames the proxy makes itself go between whole
/// frames. Without rules this code is never reached (``ProxyHandler/forward(_:)`` copies bytes).
extension ProxyHandler {
    /// Frames held behind delays before this side stops reading (backpressure instead of growth).
    static let heldLimit = 1_000

    /// Starts cutting this direction into frames now if it is between two frames, else after the read
    /// that ends one (``forward(_:)`` checks ``wantsCutting``); then writes the frames waiting for it.
    func startCuttingAtBoundary() {
        guard cutter == nil else { return }
        wantsCutting = true
        guard scanner.isAtFrameBoundary else { return }
        wantsCutting = false
        cutter = FrameCutter(expectingResponseHead: false)
        guard !injections.isEmpty, let partnerContext = partner?.context else { return }
        for frame in injections {
            partnerContext.write(wrapOutboundOut(partnerContext.channel.allocator.buffer(bytes: frame)), promise: nil)
            observe(frame, going: role)
        }
        injections.removeAll()
        partnerContext.flush()
    }

    /// Cuts `bytes` into frames and forwards, drops, answers or delays each one.
    func forwardFrames(_ bytes: ByteBuffer) {
        guard partner?.context != nil, var frames = cutter else { return }
        let pieces = bytes.withUnsafeReadableBytes { frames.cut($0) }
        cutter = frames
        for piece in pieces {
            switch piece {
            case .raw(let raw):
                observe(raw, going: role)
                send(raw)
            case .frame(let frame):
                let outcome = role == .client ? connection.steerClientFrame(frame) : connection.steerServerFrame(frame)
                // Observation sees a frame when its sender sent it — a request the proxy answers or
                // holds included — except an answer the proxy drops (it never reached the requestor)
                // or delays (seen when it goes on), so the timeline shows what the requestor got.
                switch outcome.action {
                case .drop, .delayAnswer: break
                default: observe(frame.raw, going: role)
                }
                connection.observeSteered(outcome)
                switch outcome.action {
                case .forward:
                    send(frame.raw)
                case .drop:
                    break
                case .answerClient(let payload):
                    answer(payload)
                case .answerServer(let payload):
                    answer(payload)
                case .delay(let milliseconds):
                    hold(frame.raw, milliseconds: milliseconds, observeOnRelease: false)
                case .delayAnswer(let milliseconds):
                    hold(frame.raw, milliseconds: milliseconds, observeOnRelease: true)
                case .hold:
                    // Kept by the connection's steering until the console resolves it; later frames go on.
                    break
                case .releaseRaw(let raw):
                    send(raw)
                }
            }
        }
        if role == .upstream { connection.upstreamSentBytes() }
    }

    /// Carries out the console's resolution of a REQUEST held on this (client-role) handler's
    /// connection: the REQUEST goes to the server (behind any delayed frames, as a later frame would),
    /// or an answer goes to the client. The step was recorded before, so the timeline reads hold →
    /// resolution → what followed.
    func carryOut(_ action: ProxySteering.Action) {
        switch action {
        case .releaseRaw(let raw):
            send(raw)
            partner?.context?.flush()
        case .answerServer(let payload):
            // An edited REQUEST: a masked frame of the proxy's making, to the server, in the client's
            // order (this direction is cut, so it lands between frames).
            let maskKey = Self.randomMaskKey()
            send(FrameCutter.binaryFrame(payload, maskKey: maskKey, opcode: connection.steeringOpcode))
            partner?.context?.flush()
        case .answerClient(let payload):
            // Written on our socket, the client's, as the server's frame (unmasked).
            answer(payload)
        case .forward, .drop, .hold, .delay, .delayAnswer:
            break
        }
    }

    /// A frame the proxy makes on the client's behalf (to the server, masked) or the server's (to the
    /// client, unmasked), written back on the socket the triggering frame came from.
    private func answer(_ payload: [UInt8]) {
        guard let context else { return }
        // Our socket is the client's (client role): the answer goes to the client, as the server's.
        // Our socket is the server's (upstream role): it goes to the server, as the client's.
        let toServer = role == .upstream
        let maskKey: (UInt8, UInt8, UInt8, UInt8)? = toServer
            ? Self.randomMaskKey() : nil
        let frame = FrameCutter.binaryFrame(payload, maskKey: maskKey, opcode: connection.steeringOpcode)
        // The other direction must be between frames too: it is while it is being cut; otherwise the
        // frame waits for its next boundary.
        if let partner, partner.cutter == nil {
            partner.injections.append(frame)
            partner.startCuttingAtBoundary()
            return
        }
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: frame)), promise: nil)
        partner?.observe(frame, going: toServer ? .client : .upstream)
    }

    /// Forwards bytes to the partner now, or behind a delayed frame.
    private func send(_ bytes: [UInt8]) {
        if held.isEmpty {
            write(bytes)
        } else {
            held.append((bytes, nil, false))
        }
    }

    private func hold(_ bytes: [UInt8], milliseconds: Int, observeOnRelease: Bool) {
        held.append((bytes, milliseconds, observeOnRelease))
        if held.count == 1 { scheduleRelease(after: milliseconds) }
    }

    private func scheduleRelease(after milliseconds: Int) {
        guard let context else { return }
        context.eventLoop.scheduleTask(in: .milliseconds(Int64(milliseconds))) { [weak self] in
            self?.release()
        }
    }

    /// The delay of the first held frame ended: it goes, with every frame behind it up to the next
    /// delayed one (whose own delay starts now).
    private func release() {
        guard !held.isEmpty else { return }
        let first = held.removeFirst()
        write(first.bytes)
        if first.observeOnRelease {
            observe(first.bytes, going: role)
            connection.submitObservations()
        }
        while let next = held.first, next.delay == nil {
            write(next.bytes)
            held.removeFirst()
        }
        partner?.context?.flush()
        if let next = held.first, let delay = next.delay { scheduleRelease(after: delay) }
        if held.count < Self.heldLimit { resumeReading() }
    }

    private func write(_ bytes: [UInt8]) {
        guard let partnerContext = partner?.context else { return }
        partnerContext.write(wrapOutboundOut(partnerContext.channel.allocator.buffer(bytes: bytes)), promise: nil)
    }

    /// Scans bytes going in `role`'s direction (client role: client→server) for observation.
    func observe(_ bytes: [UInt8], going role: ProxyHandler.Role) {
        guard role == self.role else {
            partner?.observe(bytes, going: role)
            return
        }
        guard scanner.mode != .opaque else { return }
        var messages: [ScannedMessage] = []
        bytes.withUnsafeBytes { scanner.scan($0, into: &messages) }
        if !messages.isEmpty { connection.observe(messages, direction: role == .client ? .inbound : .outbound) }
    }

    /// A fresh masking key for a frame the proxy sends to the server as a client (RFC 6455 §5.3).
    static func randomMaskKey() -> (UInt8, UInt8, UInt8, UInt8) {
        (UInt8.random(in: 0...255), UInt8.random(in: 0...255), UInt8.random(in: 0...255), UInt8.random(in: 0...255))
    }
}
