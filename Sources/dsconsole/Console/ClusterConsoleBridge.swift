import ConsoleCore
import DeepstreamCluster
import DeepstreamProtocol

/// Splits the cluster feed for the console: nodes, providers and calls go in as traffic (a node is a
/// peer, docs/decisions.md); every node's state and the Redis connection's state go to the Nodes view
/// and the status line as ``ConsoleAction/cluster(_:)``; connection changes and the observer's
/// warnings also become engine `error` notices (status line and message log).
///
/// With a proxy in front of one node (`cluster --proxy`), the proxy's traffic and the bus's go through
/// one ``ProxyClusterJoin`` in one task: a call both see is one row, and peer ids never collide.
enum ClusterConsoleBridge {
    /// The streams the console consumes; all end when the feed ends.
    struct Streams {
        /// Relayed into the engine as `traffic` events.
        var traffic: AsyncStream<TrafficEvent>
        /// Relayed into the engine (status-line notices).
        var notices: AsyncStream<EngineEvent>
        /// Handed to the runtime (Nodes view, bus state).
        var actions: AsyncStream<ConsoleAction>
    }

    /// The streams for `feed`, joined with `proxy`'s traffic (the proxy in front of `proxyUpstream`) if given.
    static func split(
        _ feed: AsyncStream<ClusterFeedEvent>, redis: RedisEndpoint, proxy: AsyncStream<TrafficEvent>? = nil,
        proxyUpstream: String? = nil
    ) -> Streams {
        enum Input: Sendable {
            case feed(ClusterFeedEvent)
            case proxy(TrafficEvent)
            case feedEnded
        }
        // One queue for both sources so the join sees them in arrival order; newest kept like every feed.
        let (inputs, inputSink) = AsyncStream.makeStream(of: Input.self, bufferingPolicy: .bufferingNewest(100_000))
        // Events lost in this bridge's own queues; reported to the console as engine `dropped` events, so
        // they add to the status line's "dropped" like the engine's own.
        let readerDrops = Locked(0)
        let feedReader = Task {
            for await event in feed {
                if case .dropped = inputSink.yield(.feed(event)) { readerDrops.withLock { $0 += 1 } }
            }
            inputSink.yield(.feedEnded)
        }
        let proxyReader = Task {
            guard let proxy else { return }
            for await event in proxy {
                if case .dropped = inputSink.yield(.proxy(event)) { readerDrops.withLock { $0 += 1 } }
            }
        }
        let (traffic, trafficSink) = AsyncStream.makeStream(of: TrafficEvent.self, bufferingPolicy: .bufferingNewest(20_000))
        let (notices, noticeSink) = AsyncStream.makeStream(of: EngineEvent.self, bufferingPolicy: .bufferingNewest(1_000))
        // Node states are snapshots: losing an old one under load costs nothing once a newer one is kept.
        let (actions, actionSink) = AsyncStream.makeStream(of: ConsoleAction.self, bufferingPolicy: .bufferingNewest(10_000))
        if proxy != nil, let proxyUpstream { actionSink.yield(.cluster(.proxied(upstream: proxyUpstream))) }
        let task = Task {
            var outage = false
            var join = ProxyClusterJoin()
            var drops = 0
            var lastReport = ContinuousClock.now
            func send(_ event: TrafficEvent) {
                if case .dropped = trafficSink.yield(event) { drops += 1 }
            }
            /// Reports the drops so far, at most every 100 ms unless `now` (so a burst of drops is a few
            /// notices, not one per event, which would overflow the notice queue).
            func reportDrops(now: Bool = false) {
                drops += readerDrops.withLock { count in
                    defer { count = 0 }
                    return count
                }
                let time = ContinuousClock.now
                guard drops > 0, now || time - lastReport >= .milliseconds(100) else { return }
                noticeSink.yield(.dropped(count: drops))
                drops = 0
                lastReport = time
            }
            loop: for await input in inputs {
                reportDrops()
                let event: ClusterFeedEvent
                switch input {
                case .feedEnded: break loop
                case .proxy(let traffic):
                    for joined in join.receive(traffic, from: .proxy) { send(joined) }
                    continue
                case .feed(let feedEvent): event = feedEvent
                }
                switch event {
                case .cluster(.traffic(let event)):
                    for joined in join.receive(event, from: .bus) { send(joined) }
                case .cluster(.warning(let warning)):
                    noticeSink.yield(.error(kind: "cluster", message: warning.message, at: warning.at))
                case .cluster(.node(let node)) where node.change == .silent:
                    noticeSink.yield(.error(kind: "cluster", message: "\(node.node) went silent (no STATUS for the inactivity timeout)", at: node.at))
                case .cluster(.node):
                    break
                case .cluster(.nodeState(let node, let leader, let at)):
                    var shown = info(node)
                    shown.peer = join.peer(node.peer, from: .bus)
                    actionSink.yield(.cluster(.node(shown, leader: leader, at: at)))
                case .connection(let connection):
                    if let state = busState(connection) {
                        actionSink.yield(.cluster(.bus(state, redis: redis.description, at: connection.time)))
                    }
                    // The first subscription is not news (the status line names the bus); coming back after
                    // an outage is.
                    if case .subscribed = connection, !outage { continue }
                    if case .disconnected = connection { outage = true }
                    if case .subscribed = connection { outage = false }
                    if let notice = notice(for: connection, redis: redis) { noticeSink.yield(notice) }
                }
            }
            reportDrops(now: true)
            proxyReader.cancel()
            trafficSink.finish()
            noticeSink.finish()
            actionSink.finish()
        }
        trafficSink.onTermination = { _ in
            task.cancel()
            feedReader.cancel()
            proxyReader.cancel()
            inputSink.finish()
        }
        return Streams(traffic: traffic, notices: notices, actions: actions)
    }

    /// The console's copy of an observer's node.
    static func info(_ node: ClusterNode) -> ClusterNodeInfo {
        ClusterNodeInfo(
            name: node.name, peer: node.peer, isAlive: node.isAlive, lastStatus: node.lastStatus, lastSeen: node.lastSeen,
            silentSince: node.silentSince, leaderScore: node.leaderScore, role: node.role,
            providedNames: node.providedNames.sorted(), lastChecksum: node.lastChecksum,
            checksumMismatch: node.checksumMismatch, bounces: node.bounces)
    }

    /// The status line's bus state for a connection event (nil for messages).
    static func busState(_ event: BusConnectionEvent) -> ClusterBusState? {
        switch event {
        case .connecting(let attempt, _): .connecting(attempt: attempt)
        case .subscribed: .subscribed
        case .disconnected(let reason, let retryIn, _): .disconnected(reason: reason, retryIn: retryIn)
        case .failed(let reason, _): .failed(reason: reason)
        case .message: nil
        }
    }

    private static func notice(for event: BusConnectionEvent, redis: RedisEndpoint) -> EngineEvent? {
        switch event {
        case .disconnected(let reason, let retryIn, let at):
            .error(kind: "redis", message: "\(reason); retrying in \(retryIn)", at: at)
        case .failed(let reason, let at):
            .error(kind: "redis", message: "\(reason); the cluster view has stopped", at: at)
        case .subscribed(_, let at):
            .error(kind: "redis", message: "subscribed to the cluster bus at \(redis) again", at: at)
        case .connecting, .message:
            nil
        }
    }
}

extension BusConnectionEvent {
    /// When it happened.
    var time: Timestamp {
        switch self {
        case .connecting(_, let at), .subscribed(_, let at), .message(_, _, let at), .disconnected(_, _, let at), .failed(_, let at): at
        }
    }
}
