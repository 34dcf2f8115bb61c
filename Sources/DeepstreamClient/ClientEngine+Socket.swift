import DeepstreamProtocol
import NIOCore

/// The socket life cycle: one owned task per connection attempt connects, runs the socket (reader
/// and writer) and reports its end; sending goes through the socket's backpressured writer queue.
extension ClientEngine {
    /// The WebSocket close code for "message too big" (RFC 6455 §7.4.1), sent by a server whose
    /// `maxMessageSize` a frame exceeded.
    static let messageTooBigCloseCode = 1009

    func openSocket(_ url: ServerURL) {
        dropSocket()
        let id = connectionID
        providers.connectionLost()
        let options = self.options
        let group = self.group
        socketTask = Task { [weak self] in
            let socket: WebSocketConnection
            do {
                socket = try await WebSocketConnection.connect(
                    to: url, maxFrameSize: options.maxReceivedMessageSize, connectTimeout: options.connectTimeout,
                    tlsConfiguration: options.tlsConfiguration, group: group)
            } catch {
                await self?.socketEnded(id, SocketEnd(reason: "could not connect to \(url): \(error)", closeCode: nil))
                return
            }
            // Only weak references while the socket runs: an engine dropped without close() goes
            // away, and its deinit closes the socket.
            guard !Task.isCancelled, await self?.socketOpened(id, socket) == true else {
                socket.close()
                return
            }
            let end = await withTaskCancellationHandler {
                await socket.run { [weak self] frame in
                    await self?.frameReceived(id, frame)
                }
            } onCancel: {
                socket.close()
            }
            await self?.socketEnded(id, end)
        }
    }

    private func socketOpened(_ id: UInt64, _ socket: WebSocketConnection) -> Bool {
        guard id == connectionID else { return false }
        connection = socket
        apply(machine.on(.socketOpened, now: elapsed()))
        return connection != nil
    }

    private func socketEnded(_ id: UInt64, _ end: SocketEnd) {
        guard id == connectionID else { return }
        connection = nil
        socketTask = nil
        logger.debug("socket ended: \(end.reason)")
        if end.closeCode == Self.messageTooBigCloseCode,
            let blamed = calls.blameOversize(closeCode: Self.messageTooBigCloseCode)
        {
            finish(blamed.call, .failure(blamed.error))
        }
        apply(machine.on(.socketClosed(reason: end.reason), now: elapsed()))
    }

    /// Forgets the current socket (closing it) and the task running it; a later end of that socket
    /// is not reported.
    func dropSocket() {
        connection?.close()
        connection = nil
        socketTask?.cancel()
        socketTask = nil
        connectionID += 1
    }

    func send(_ message: Message) {
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
}
