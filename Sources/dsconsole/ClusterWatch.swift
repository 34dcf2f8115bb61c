import DeepstreamClient
import DeepstreamCluster
import DeepstreamProtocol

/// `watch --cluster URL`: prints the cluster view of a deepstream Redis bus until Ctrl-C. Read-only:
/// it subscribes and never publishes.
enum ClusterWatch {
    /// Runs until SIGINT/SIGTERM, or until Redis refuses for good (wrong password): then throws.
    static func run(url: String, statsInterval: Duration?) async throws(CommandFailure) {
        let endpoint: RedisEndpoint
        do { endpoint = try RedisEndpoint(url: url) } catch {
            throw CommandFailure(.usage, "dsconsole: bad --cluster URL \(error.description)")
        }
        TerminationSignal.install()
        let feed = makeFeed(endpoint)
        let events = feed.events()
        let statsLines = statsInterval.map { StatsLines(interval: $0) }
        let statsPrinter = Task { await statsLines?.run() }
        let printer = Task { () -> String? in
            var lines = ClusterJSONLines()
            var outage = false
            for await event in events {
                if let statsLines {
                    if case .cluster(.traffic(let traffic)) = event { statsLines.observe(traffic) }
                } else if let line = lines.object(for: event, redis: endpoint) {
                    StandardStreams.printLine(line.jsonText)
                }
                switch event {
                case .connection(.failed(let reason, _)):
                    return reason
                case .connection(.disconnected(let reason, let retryIn, _)):
                    // One line per outage on stderr; the JSON line on stdout has every attempt.
                    if !outage { StandardStreams.printError("dsconsole: \(reason); retrying with backoff (first retry in \(retryIn))") }
                    outage = true
                case .connection(.subscribed):
                    if outage { StandardStreams.printError("dsconsole: subscribed to the cluster bus at \(endpoint) again") }
                    outage = false
                case .cluster(.warning(let warning)) where statsLines != nil:
                    StandardStreams.printError("dsconsole: \(warning.message)")
                default:
                    break
                }
            }
            return nil
        }
        let failure = await withTaskGroup(of: String?.self) { group in
            group.addTask { await printer.value }
            group.addTask {
                _ = await TerminationSignal.wait()
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            printer.cancel()
            return first
        }
        statsPrinter.cancel()
        await statsPrinter.value
        if feed.droppedEvents > 0 {
            StandardStreams.printError("dsconsole: \(feed.droppedEvents) cluster events were dropped (stdout too slow)")
        }
        if let failure { throw CommandFailure(.unavailable, "dsconsole: \(failure)") }
    }

    /// The feed on `endpoint` with the wall clock.
    static func makeFeed(_ endpoint: RedisEndpoint) -> ClusterFeed {
        let subscriber = RedisBusSubscriber(configuration: .init(endpoint: endpoint), clock: ClientEngine.wallClock)
        return ClusterFeed(subscriber: subscriber, clock: ClientEngine.wallClock)
    }
}
