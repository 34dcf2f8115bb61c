import ArgumentParser
import DeepstreamCluster

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
            shown. dsconsole never publishes to the bus. See docs/cluster.md.
            """
    )

    /// The Redis URL.
    @Argument(help: ArgumentHelp("The cluster's Redis.", valueName: "redis://[:PASSWORD@]HOST:PORT"))
    var url: String

    /// The shared console options.
    @OptionGroup var options: ConsoleOptions

    func run() async throws {
        let endpoint: RedisEndpoint
        do { endpoint = try RedisEndpoint(url: url) } catch {
            throw ConsoleLauncher.fail("bad Redis URL \(error.description)")
        }
        try await ConsoleLauncher.run(.cluster(endpoint), options: options)
    }
}
