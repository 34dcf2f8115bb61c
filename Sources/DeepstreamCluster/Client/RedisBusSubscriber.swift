import DeepstreamProtocol
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A read-only Redis pub/sub client for the cluster bus: connects, AUTHs, SUBSCRIBEs (and/or
/// PSUBSCRIBEs: a `pmessage` is reported with the channel it was published on), keeps the
/// connection alive with PING and reconnects with backoff when Redis goes away. It never publishes.
///
/// It only does IO: bytes go through ``RESPDecoder`` and come out as ``BusConnectionEvent``s on one
/// stream (newest kept, drops counted). Backoff waits go through the injected `sleep`, so tests decide
/// how long a retry takes.
package final class RedisBusSubscriber: Sendable {
    /// Connection settings.
    package struct Configuration: Sendable {
        /// Where Redis is.
        package var endpoint: RedisEndpoint
        /// Channels to SUBSCRIBE to.
        package var channels: [String]
        /// Glob patterns to PSUBSCRIBE to (Redis syntax, e.g. `[69]` or `1?`); none by default.
        package var patterns: [String]
        /// Waits between attempts: the n-th consecutive failure waits `backoff[min(n, count) - 1]`.
        package var backoff: [Duration]
        /// Interval between keep-alive PINGs; the connection is dropped when nothing arrives for three of them.
        package var pingInterval: Duration
        /// TCP connect timeout.
        package var connectTimeout: Duration
        /// RESP decoder bounds.
        package var limits: RESPDecoder.Limits
        /// Creates a configuration.
        package init(
            endpoint: RedisEndpoint, channels: [String] = BusNumbers.observedChannels, patterns: [String] = [],
            backoff: [Duration] = [.milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5)],
            pingInterval: Duration = .seconds(5), connectTimeout: Duration = .seconds(5),
            limits: RESPDecoder.Limits = RESPDecoder.Limits()
        ) {
            self.endpoint = endpoint
            self.channels = channels
            self.patterns = patterns
            self.backoff = backoff
            self.pingInterval = pingInterval
            self.connectTimeout = connectTimeout
            self.limits = limits
        }
    }

    /// The settings in force.
    package let configuration: Configuration
    private let clock: @Sendable () -> Timestamp
    private let sleep: @Sendable (Duration) async throws -> Void
    private let group: any EventLoopGroup
    private let dropped = NIOLockedValueBox(0)

    /// Creates a subscriber; nothing happens until ``events(bufferingNewest:)`` is iterated.
    package init(
        configuration: Configuration,
        clock: @escaping @Sendable () -> Timestamp,
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.configuration = configuration
        self.clock = clock
        self.sleep = sleep
        self.group = group
    }

    /// Events dropped because the consumer was slower than the bus.
    package var droppedEvents: Int { dropped.withLockedValue { $0 } }

    /// Connects and runs until the stream's consumer stops or a ``BusConnectionEvent/failed(reason:at:)``.
    package func events(bufferingNewest capacity: Int = 100_000) -> AsyncStream<BusConnectionEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: BusConnectionEvent.self, bufferingPolicy: .bufferingNewest(capacity))
        let dropped = self.dropped
        let emit: @Sendable (BusConnectionEvent) -> Void = { event in
            if case .dropped = continuation.yield(event) { dropped.withLockedValue { $0 += 1 } }
        }
        let task = Task { [self] in
            await self.run(emit: emit)
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    private func run(emit: @escaping @Sendable (BusConnectionEvent) -> Void) async {
        var failures = 0
        var attempt = 0
        while !Task.isCancelled {
            attempt += 1
            emit(.connecting(attempt: attempt, at: clock()))
            let outcome = await session(emit: emit)
            if Task.isCancelled { return }
            switch outcome {
            case .fatal(let reason):
                emit(.failed(reason: reason, at: clock()))
                return
            case .lost(let reason, let hadSubscribed):
                failures = hadSubscribed ? 1 : failures + 1
                let delay = configuration.backoff.isEmpty
                    ? Duration.seconds(1) : configuration.backoff[min(failures, configuration.backoff.count) - 1]
                emit(.disconnected(reason: reason, retryIn: delay, at: clock()))
                do { try await sleep(delay) } catch { return }
            }
        }
    }

    private enum Outcome {
        case lost(String, hadSubscribed: Bool)
        case fatal(String)
    }

    private struct Fatal: Error { var reason: String }
    private struct Lost: Error { var reason: String }

    private func session(emit: @escaping @Sendable (BusConnectionEvent) -> Void) async -> Outcome {
        let endpoint = configuration.endpoint
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            let timeout = configuration.connectTimeout.components
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(.nanoseconds(timeout.seconds * 1_000_000_000 + timeout.attoseconds / 1_000_000_000))
                .connect(host: endpoint.host, port: endpoint.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            return .lost("cannot reach Redis at \(endpoint): \(Self.describe(error))", hadSubscribed: false)
        }
        let subscribed = NIOLockedValueBox(false)
        let lastInbound = NIOLockedValueBox(ContinuousClock.now)
        do {
            try await channel.executeThenClose { inbound, outbound in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        var decoder = RESPDecoder(limits: self.configuration.limits)
                        var replies = inbound.makeAsyncIterator()
                        /// The next complete reply, reading more bytes as needed.
                        func nextReply() async throws -> RESPValue {
                            while true {
                                do {
                                    if let value = try decoder.next() { return value }
                                } catch {
                                    throw Lost(reason: "Redis sent bad bytes: \(error.description)")
                                }
                                guard let buffer = try await replies.next() else {
                                    throw Lost(reason: "Redis closed the connection")
                                }
                                lastInbound.withLockedValue { $0 = ContinuousClock.now }
                                decoder.feed(buffer.readableBytesView)
                            }
                        }
                        if let password = endpoint.password {
                            let arguments = ["AUTH"] + (endpoint.username.map { [$0] } ?? []) + [password]
                            try await outbound.write(ByteBuffer(bytes: RESPCommand.encode(arguments)))
                            let reply = try await nextReply()
                            if case .error(let text) = reply {
                                throw Fatal(reason: "Redis at \(endpoint) refused the password: \(text)")
                            }
                        }
                        let channels = self.configuration.channels
                        let patterns = self.configuration.patterns
                        if !channels.isEmpty {
                            try await outbound.write(ByteBuffer(bytes: RESPCommand.encode(["SUBSCRIBE"] + channels)))
                        }
                        if !patterns.isEmpty {
                            try await outbound.write(ByteBuffer(bytes: RESPCommand.encode(["PSUBSCRIBE"] + patterns)))
                        }
                        var confirmed = 0
                        while true {
                            let reply = try await nextReply()
                            switch reply {
                            case .error(let text):
                                if text.hasPrefix("NOAUTH") {
                                    throw Fatal(reason: "Redis at \(endpoint) needs a password: use redis://:PASSWORD@\(endpoint)")
                                }
                                throw Fatal(reason: "Redis at \(endpoint) refused: \(text)")
                            case .array(let elements?):
                                let kind = elements.first?.text?.lowercased()
                                if kind == "message", elements.count == 3, let name = elements[1].text, let payload = elements[2].bytes {
                                    emit(.message(channel: name, payload: payload, at: self.clock()))
                                } else if kind == "pmessage", elements.count == 4, let name = elements[2].text,
                                          let payload = elements[3].bytes {
                                    emit(.message(channel: name, payload: payload, at: self.clock()))
                                } else if kind == "subscribe" || kind == "psubscribe" {
                                    confirmed += 1
                                    if confirmed == channels.count + patterns.count {
                                        subscribed.withLockedValue { $0 = true }
                                        emit(.subscribed(channels: channels + patterns, at: self.clock()))
                                    }
                                }
                            default:
                                break  // PONG and other replies only prove the connection is alive.
                            }
                        }
                    }
                    group.addTask {
                        let interval = self.configuration.pingInterval
                        while true {
                            try await Task.sleep(for: interval)
                            let silent = lastInbound.withLockedValue { ContinuousClock.now - $0 }
                            if silent > interval * 3 {
                                throw Lost(reason: "Redis at \(endpoint) stopped answering PING")
                            }
                            try await outbound.write(ByteBuffer(bytes: RESPCommand.encode(["PING"])))
                        }
                    }
                    defer { group.cancelAll() }
                    _ = try await group.next()
                }
            }
            return .lost("Redis closed the connection", hadSubscribed: subscribed.withLockedValue { $0 })
        } catch let fatal as Fatal {
            return .fatal(fatal.reason)
        } catch let lost as Lost {
            return .lost(lost.reason, hadSubscribed: subscribed.withLockedValue { $0 })
        } catch {
            return .lost("connection to Redis at \(endpoint) lost: \(Self.describe(error))", hadSubscribed: subscribed.withLockedValue { $0 })
        }
    }

    private static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        if text.contains("connectionRefused") || text.contains("Connection refused") { return "connection refused" }
        if text.contains("connectTimeout") { return "connection timed out" }
        return text
    }
}
