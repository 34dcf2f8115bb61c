import DeepstreamProtocol
import NIOCore
import NIOPosix
import NIOSSL

/// One side of a proxied connection (the client's socket or the upstream socket). Bytes read on one
/// side are written to the other unchanged and flushed once per read batch; only then are views of them
/// scanned for observation, so observing never delays a message. Reading stops while the other side's
/// outgoing buffer is above its high-water mark (backpressure both ways).
///
/// Both sides of a connection live on the same event loop, so handlers call each other directly.
final class ProxyHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Which socket this handler sits on.
    enum Role {
        /// The application's connection to the proxy; reads client→server bytes.
        case client
        /// The proxy's connection to deepstream; reads server→client bytes.
        case upstream
    }

    let role: Role
    let connection: ProxiedConnection
    var scanner: FrameScanner
    weak var partner: ProxyHandler?
    private(set) var context: ChannelHandlerContext?
    private var pendingRead = false
    /// Bytes of the client's request head not yet complete (client role, before forwarding).
    private var headBuffer: ByteBuffer?
    /// Bytes read before the two sides are linked (after the head, while the upstream connects).
    private var early: ByteBuffer?
    private var scanned: [ScannedMessage] = []
    /// Forwarded but not yet scanned: the reads of the current batch (views, not copies).
    private var unscanned: [ByteBuffer] = []
    /// Set only when steering rules are loaded (WebSocket connections): the direction is cut into whole
    /// frames so rules can act on them (ProxyHandler+Steering.swift); nil keeps the plain byte copy.
    var cutter: FrameCutter?
    /// Frames waiting behind a steering delay, in order; a frame with a delay holds the ones after it.
    var held: [(bytes: [UInt8], delay: Int?, observeOnRelease: Bool)] = []
    /// Cutting was asked for mid-stream (a provider switched off): it starts at the next frame boundary.
    var wantsCutting = false
    /// Frames the proxy makes for this direction, waiting until it is cut at a frame boundary.
    var injections: [[UInt8]] = []

    init(role: Role, connection: ProxiedConnection, scanner: FrameScanner) {
        self.role = role
        self.connection = connection
        self.scanner = scanner
        if role == .client { headBuffer = ByteBuffer() }
    }

    var isWritable: Bool { context?.channel.isWritable ?? false }
    var isActive: Bool { context?.channel.isActive ?? false }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func channelActive(context: ChannelHandlerContext) {
        if role == .client { connection.clientActive(on: context.eventLoop) }
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        if var head = headBuffer {
            head.writeImmutableBuffer(bytes)
            headBuffer = head
            connection.headBytesArrived(from: self)
            return
        }
        guard partner != nil else {
            // A read already under way when the head completed: keep it until the upstream is linked.
            var waiting = early ?? ByteBuffer()
            waiting.writeImmutableBuffer(bytes)
            early = waiting
            return
        }
        forward(bytes)
    }

    /// Writes `bytes` to the other side (unflushed) and keeps a view of them for ``scanForwarded()``.
    func forward(_ bytes: ByteBuffer) {
        if cutter != nil {
            forwardFrames(bytes)
            return
        }
        guard let partnerContext = partner?.context else { return }
        partnerContext.write(wrapOutboundOut(bytes), promise: nil)
        if role == .upstream { connection.upstreamSentBytes() }
        unscanned.append(bytes)
    }

    /// Scans what was forwarded since the last call, for observation (after the flush).
    func scanForwarded() {
        guard !unscanned.isEmpty else { return }
        for bytes in unscanned {
            guard scanner.mode != .opaque else {
                connection.forwardedPlain(bytes, from: role)
                continue
            }
            bytes.withUnsafeReadableBytes { scanner.scan($0, into: &scanned) }
        }
        unscanned.removeAll(keepingCapacity: true)
        if !scanned.isEmpty {
            connection.observe(scanned, direction: role == .client ? .inbound : .outbound)
            scanned.removeAll(keepingCapacity: true)
        }
        if wantsCutting { startCuttingAtBoundary() }
    }

    /// The collected head bytes, handed over once (the handler forwards from then on).
    func takeHeadBuffer() -> ByteBuffer? {
        defer { headBuffer = nil }
        return headBuffer
    }

    /// Bytes read before linking, handed over once.
    func takeEarlyBytes() -> ByteBuffer? {
        defer { early = nil }
        return early
    }

    /// The head bytes collected so far, without taking them.
    var headBytes: ByteBuffer? { headBuffer }

    func channelReadComplete(context: ChannelHandlerContext) {
        partner?.context?.flush()
        scanForwarded()
        connection.submitObservations()
        connection.busyPoller?.inputHandled()
        context.fireChannelReadComplete()
    }

    func read(context: ChannelHandlerContext) {
        // Before the upstream exists (client side, head read) keep reading up to the head limit; after,
        // read only while the other side can take more.
        if headBuffer != nil || (partner?.isWritable == true && held.count < Self.heldLimit) {
            context.read()
        } else {
            pendingRead = true
        }
    }

    /// The other side drained its buffer, or forwarding just started: read again if we held back.
    func resumeReading() {
        guard pendingRead, let context else { return }
        pendingRead = false
        context.read()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { partner?.resumeReading() }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        // A close frame read just before the socket closed still names the reason.
        scanForwarded()
        connection.sideClosed(self)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        connection.sideFailed(self, error: error)
        context.close(promise: nil)
    }
}
