import DeepstreamCluster
import DeepstreamProtocol

/// Splits the cluster feed for the console: nodes, providers and calls go in as traffic (a node is a
/// peer, docs/decisions.md); the Redis connection's changes and the observer's warnings become
/// engine `error` notices on the status line.
enum ClusterConsoleBridge {
    /// The two streams the engine relays; both end when the feed ends.
    static func split(
        _ feed: AsyncStream<ClusterFeedEvent>, redis: RedisEndpoint
    ) -> (traffic: AsyncStream<TrafficEvent>, notices: AsyncStream<EngineEvent>) {
        let (traffic, trafficSink) = AsyncStream.makeStream(of: TrafficEvent.self, bufferingPolicy: .bufferingNewest(20_000))
        let (notices, noticeSink) = AsyncStream.makeStream(of: EngineEvent.self, bufferingPolicy: .bufferingNewest(1_000))
        let task = Task {
            var outage = false
            for await event in feed {
                switch event {
                case .cluster(.traffic(let event)):
                    trafficSink.yield(event)
                case .cluster(.warning(let warning)):
                    noticeSink.yield(.error(kind: "cluster", message: warning.message, at: warning.at))
                case .cluster(.node(let node)) where node.change == .silent:
                    noticeSink.yield(.error(kind: "cluster", message: "\(node.node) went silent (no STATUS for the inactivity timeout)", at: node.at))
                case .cluster(.node):
                    break
                case .cluster(.nodeState):
                    // Not shown yet.
                    break
                case .connection(let connection):
                    // The first subscription is not news (the status line names the bus); coming back after
                    // an outage is.
                    if case .subscribed = connection, !outage { continue }
                    if case .disconnected = connection { outage = true }
                    if case .subscribed = connection { outage = false }
                    if let notice = notice(for: connection, redis: redis) { noticeSink.yield(notice) }
                }
            }
            trafficSink.finish()
            noticeSink.finish()
        }
        trafficSink.onTermination = { _ in task.cancel() }
        return (traffic, notices)
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
