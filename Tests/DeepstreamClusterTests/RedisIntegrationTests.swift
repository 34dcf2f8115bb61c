import DeepstreamCluster
import DeepstreamProtocol
import Foundation
import TestSupport
import Testing

/// The subscriber against a real redis-server: the captures published into it rebuild the same view,
/// bad passwords and unreachable servers give one line, and a restart is survived.
@Suite(.serialized) struct RedisIntegrationTests {
    /// Collects the subscriber's events in the background.
    final class Collector: @unchecked Sendable {
        // @unchecked: every access to `events` goes through `lock`.
        private let lock = NSLock()
        private var events: [BusConnectionEvent] = []
        private var task: Task<Void, Never>?

        init(_ stream: AsyncStream<BusConnectionEvent>) {
            task = Task { [weak self] in
                for await event in stream {
                    guard let self else { return }
                    self.lock.withLock { self.events.append(event) }
                }
            }
        }

        var snapshot: [BusConnectionEvent] { lock.withLock { events } }

        func stop() { task?.cancel() }

        /// Waits (polling, up to `timeout`) until `condition` holds for the events so far.
        func wait(
            for timeout: Duration = .seconds(20), _ what: String, _ condition: ([BusConnectionEvent]) -> Bool
        ) async throws -> [BusConnectionEvent] {
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                let now = snapshot
                if condition(now) { return now }
                try await Task.sleep(for: .milliseconds(20))
            }
            Issue.record("timed out waiting for \(what); events: \(snapshot.map { String(describing: $0).prefix(120) })")
            return snapshot
        }
    }

    static func messages(_ events: [BusConnectionEvent]) -> [(channel: String, payload: [UInt8], at: Timestamp)] {
        events.compactMap { if case .message(let c, let p, let t) = $0 { (c, p, t) } else { nil } }
    }

    static func subscriber(_ endpoint: RedisEndpoint, backoff: [Duration] = [.milliseconds(100)]) -> RedisBusSubscriber {
        RedisBusSubscriber(
            configuration: .init(endpoint: endpoint, backoff: backoff, pingInterval: .seconds(1), connectTimeout: .seconds(2)),
            clock: {
                var now = timespec()
                clock_gettime(CLOCK_REALTIME, &now)
                return Timestamp(nanoseconds: UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec))
            })
    }

    @Test(.enabled(if: RedisServer.binary != nil), arguments: [("main", CaptureVectors.main), ("supplement", CaptureVectors.supplement)])
    func capturesPublishedIntoRedisRebuildTheView(label: String, vector: CaptureVector) async throws {
        let redis = try await RedisServer(password: "s3cret")
        defer { redis.stop() }
        let collector = Collector(
            Self.subscriber(RedisEndpoint(host: "127.0.0.1", port: redis.port, password: "s3cret")).events())
        defer { collector.stop() }
        _ = try await collector.wait("subscribed") { $0.contains { if case .subscribed = $0 { true } else { false } } }
        // Channels other than 6, 9, 11 are not subscribed: deepstream's record/event traffic is not needed.
        let frames = vector.frames
        try await redis.publish(frames.map { ($0.channel, $0.payload) })
        let observed = frames.filter { BusNumbers.observedChannels.contains($0.channel) }
        let events = try await collector.wait("\(observed.count) messages") { Self.messages($0).count >= observed.count }
        let received = Self.messages(events)
        #expect(received.map(\.channel) == observed.map(\.channel), "\(label)")
        #expect(received.map(\.payload) == observed.map(\.payload), "\(label): payloads byte-identical")

        var observer = ClusterObserver()
        var calls = ObservedCalls()
        var all: [ClusterEvent] = []
        for message in received {
            let new = observer.receive(channel: message.channel, payload: message.payload, at: message.at)
            all += new
            let snapshot = observer
            calls.record(new) { snapshot.nodeName(for: $0) }
        }
        // The bounced calls end when the reroute window passes.
        let last = received.last!.at.advanced(by: .seconds(1))
        let tail = observer.tick(at: last)
        let snapshot = observer
        calls.record(tail) { snapshot.nodeName(for: $0) }
        #expect(observer.nodes.map(\.name) == vector.nodes.sorted(), "\(label)")
        for node in observer.nodes {
            #expect(node.providedNames == vector.finalProviders[node.name] ?? [], "\(label) \(node.name)")
            #expect(!node.checksumMismatch)
        }
        #expect(calls.list == vector.calls, "\(label)")
        #expect(observer.counters.badPayloads == 0 && observer.counters.unknownMessages == 0)
    }

    @Test(.enabled(if: RedisServer.binary != nil)) func patternSubscriptionReportsThePublishedChannel() async throws {
        let redis = try await RedisServer()
        defer { redis.stop() }
        let subscriber = RedisBusSubscriber(
            configuration: .init(
                endpoint: RedisEndpoint(host: "127.0.0.1", port: redis.port), channels: [], patterns: ["[69]", "1?"],
                backoff: [.milliseconds(100)], pingInterval: .seconds(1), connectTimeout: .seconds(2)),
            clock: { Timestamp(nanoseconds: 1) })
        let collector = Collector(subscriber.events())
        defer { collector.stop() }
        let subscribed = try await collector.wait("subscribed") { $0.contains { if case .subscribed = $0 { true } else { false } } }
        #expect(subscribed.contains(.subscribed(channels: ["[69]", "1?"], at: Timestamp(nanoseconds: 1))))
        try await redis.publish([("4", Array("record".utf8)), ("6", Array("rpc".utf8)), ("11", Array("registry".utf8)), ("9", Array("cluster".utf8))])
        let events = try await collector.wait("3 messages") { Self.messages($0).count >= 3 }
        let received = Self.messages(events)
        #expect(received.map(\.channel) == ["6", "11", "9"])
        #expect(received.map { String(decoding: $0.payload, as: UTF8.self) } == ["rpc", "registry", "cluster"])
    }

    @Test(.enabled(if: RedisServer.binary != nil)) func wrongPasswordIsOneLineAndFinal() async throws {
        let redis = try await RedisServer(password: "right")
        defer { redis.stop() }
        let collector = Collector(Self.subscriber(RedisEndpoint(host: "127.0.0.1", port: redis.port, password: "wrong")).events())
        defer { collector.stop() }
        let events = try await collector.wait("failed") { $0.contains { if case .failed = $0 { true } else { false } } }
        let reasons = events.compactMap { if case .failed(let reason, _) = $0 { reason } else { nil } }
        #expect(reasons.count == 1)
        #expect(reasons.first?.contains("refused the password") == true, "\(reasons)")
        #expect(!(reasons.first ?? "").contains("\n"))
    }

    @Test(.enabled(if: RedisServer.binary != nil)) func missingPasswordSaysHowToGiveOne() async throws {
        let redis = try await RedisServer(password: "right")
        defer { redis.stop() }
        let collector = Collector(Self.subscriber(RedisEndpoint(host: "127.0.0.1", port: redis.port)).events())
        defer { collector.stop() }
        let events = try await collector.wait("failed") { $0.contains { if case .failed = $0 { true } else { false } } }
        let reasons = events.compactMap { if case .failed(let reason, _) = $0 { reason } else { nil } }
        #expect(reasons.first?.contains("needs a password: use redis://:PASSWORD@127.0.0.1:\(redis.port)") == true, "\(reasons)")
    }

    @Test func unreachableRedisIsRetriedWithBackoffAndSaysWhy() async throws {
        let port = try RedisServer.freePort()
        let collector = Collector(
            Self.subscriber(RedisEndpoint(host: "127.0.0.1", port: port), backoff: [.milliseconds(10), .milliseconds(20)]).events())
        defer { collector.stop() }
        let events = try await collector.wait("3 failures") {
            $0.filter { if case .disconnected = $0 { true } else { false } }.count >= 3
        }
        let failures = events.compactMap { if case .disconnected(let reason, let retry, _) = $0 { (reason, retry) } else { nil } }
        #expect(failures[0].0 == "cannot reach Redis at 127.0.0.1:\(port): connection refused")
        #expect(failures.prefix(3).map(\.1) == [.milliseconds(10), .milliseconds(20), .milliseconds(20)])
    }

    @Test(.enabled(if: RedisServer.binary != nil)) func redisRestartIsSurvived() async throws {
        let redis = try await RedisServer()
        defer { redis.stop() }
        let collector = Collector(Self.subscriber(RedisEndpoint(host: "127.0.0.1", port: redis.port)).events())
        defer { collector.stop() }
        func subscribedCount(_ events: [BusConnectionEvent]) -> Int {
            events.filter { if case .subscribed = $0 { true } else { false } }.count
        }
        _ = try await collector.wait("subscribed") { subscribedCount($0) == 1 }
        redis.stop()
        _ = try await collector.wait("disconnected") { $0.contains { if case .disconnected = $0 { true } else { false } } }
        try await redis.restart()
        _ = try await collector.wait("subscribed again") { subscribedCount($0) == 2 }
        let status = Array(CaptureVectors.main.frames.prefix(1))
        try await redis.publish(status.map { ($0.channel, $0.payload) })
        let events = try await collector.wait("message after restart") { !Self.messages($0).isEmpty }
        #expect(Self.messages(events).first?.payload == status[0].payload)
        let attempts = events.compactMap { if case .connecting(let attempt, _) = $0 { attempt } else { nil } }
        #expect(attempts.count >= 2)
    }
}

/// The feed (subscriber + ticker + observer) against a real Redis, with short timeouts: a node that
/// stops sending STATUS goes silent, and a bus with nothing on it is reported.
@Suite(.serialized) struct ClusterFeedTests {
    @Test(.enabled(if: RedisServer.binary != nil)) func silentNodeAndSilentBusThroughTheFeed() async throws {
        let redis = try await RedisServer()
        defer { redis.stop() }
        let subscriber = RedisIntegrationTests.subscriber(RedisEndpoint(host: "127.0.0.1", port: redis.port))
        let feed = ClusterFeed(
            subscriber: subscriber,
            observer: .init(nodeInactiveTimeout: .milliseconds(300), busSilence: .milliseconds(800)),
            clock: {
                var now = timespec()
                clock_gettime(CLOCK_REALTIME, &now)
                return Timestamp(nanoseconds: UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec))
            },
            tickInterval: .milliseconds(20))
        var seen: [ClusterFeedEvent] = []
        var published = false
        let deadline = ContinuousClock.now + .seconds(20)
        for await event in feed.events() {
            seen.append(event)
            if case .connection(.subscribed) = event, !published {
                published = true
                try await redis.publish([(CaptureVectors.main.frames[0].channel, CaptureVectors.main.frames[0].payload)])
            }
            if case .cluster(.warning(let warning)) = event, warning.kind == .busSilent { break }
            if ContinuousClock.now > deadline { break }
        }
        let changes = seen.compactMap { if case .cluster(.node(let node)) = $0 { "\(node.node):\(node.change)" } else { nil } }
        #expect(changes == ["node-1:joined", "node-1:status", "node-1:silent"])
        let kinds = seen.compactMap { if case .cluster(.warning(let w)) = $0 { w.kind } else { nil } }
        #expect(kinds == [.busSilent])
        #expect(feed.droppedEvents == 0)
    }
}
