import ArgumentParser
import DeepstreamCluster
import DeepstreamProxy

/// `dsconsole cluster redis://…`: the console on a deepstream cluster's Redis bus, read-only.
struct ClusterCommand: AsyncParsableCommand {
    /// Command-line metadata.
    static let configuration = CommandConfiguration(
        commandName: "cluster",
        abstract: "Open the console on a deepstream cluster's Redis bus (read-only).",
        discussion: """
            Subscribes to the bus of deepstream's clusternode-redis connector and shows every node (alive, \
            leader, gone after 6 s of silence), which node provides which RPC (checked against the \
            nodes' checksums) and every cross-node call. Same-node calls never cross the bus and are not \
            shown. dsconsole never publishes to the bus. With --proxy UPSTREAM, dsconsole also proxies one \
            node (as `dsconsole proxy` does): the calls of the apps connected through it join the bus's \
            cross-node calls, one row per call. See docs/cluster.md.
            """
    )

    /// The Redis URL.
    @Argument(help: ArgumentHelp("The cluster's Redis.", valueName: "redis://[:PASSWORD@]HOST:PORT"))
    var url: String

    /// `--proxy`.
    @Option(help: ArgumentHelp(
        "Also proxy one node (host:port, ws://… or wss://…): its apps' calls join the bus's in one view.",
        valueName: "UPSTREAM"))
    var proxy: String?

    /// `--listen`.
    @Option(help: ArgumentHelp("With --proxy: address the proxy listens on (port 0 picks a free one).", valueName: "HOST:PORT"))
    var listen: String = ProxyOptions.defaultListen

    /// `--upstream-ca`.
    @Option(name: .customLong("upstream-ca"), help: ArgumentHelp(
        "With --proxy: PEM file of certificates to trust for a wss:// upstream.", valueName: "FILE"))
    var upstreamCA: String?

    /// `--busy-poll`: see ``BusyPollOption``.
    @OptionGroup var busyPoll: BusyPollOption

    /// The shared console options.
    @OptionGroup var options: ConsoleOptions

    func validate() throws {
        if options.providersFromRecording != nil {
            throw ValidationError("--providers-from-recording: the cluster view is read-only (no providers of its own)")
        }
        if proxy == nil, listen != ProxyOptions.defaultListen || upstreamCA != nil || busyPoll.microseconds != nil {
            throw ValidationError("--listen, --upstream-ca and --busy-poll go with --proxy UPSTREAM")
        }
    }

    func run() async throws {
        let endpoint: RedisEndpoint
        do { endpoint = try RedisEndpoint(url: url) } catch {
            throw ConsoleLauncher.fail("bad Redis URL \(error.description)")
        }
        var proxyConfiguration: ProxyConfiguration?
        if let proxy {
            try ConsoleLauncher.checkTerminal()
            do throws(CommandFailure) {
                proxyConfiguration = try ProxyOptions.configuration(upstream: proxy, listen: listen, caFile: upstreamCA)
                proxyConfiguration?.busyPollWindow = busyPoll.window
            } catch {
                throw ConsoleLauncher.fail(String(error.message.trimmingPrefix("dsconsole: ")))
            }
        }
        try await ConsoleLauncher.run(.cluster(endpoint, proxy: proxyConfiguration), options: options)
    }

    /// The status line's server text: the bus, and the proxy's `listen → upstream` when there is one.
    static func statusText(redis: RedisEndpoint, proxy: String?) -> String {
        let bus = "redis://\(redis) (cluster bus, read-only: cross-node calls only)"
        return proxy.map { "\(bus) + proxy \($0)" } ?? bus
    }
}
