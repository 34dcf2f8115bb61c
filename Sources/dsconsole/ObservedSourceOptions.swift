import ArgumentParser

/// Where `watch` and `record` observe traffic: the embedded broker (`--serve` …), a proxy in front
/// of a real server (`--proxy UPSTREAM` …), or, with neither, the command's own connection (`--url`).
struct ObservedSourceOptions: ParsableArguments {
    /// Run the embedded broker.
    @Flag(help: "Run the embedded broker and observe every call routed through it.") var serve = false
    /// Broker address.
    @Option(help: "With --serve: the address to listen on (default 127.0.0.1, or the config file's).") var host: String?
    /// Broker port.
    @Option(help: "With --serve: the port to listen on (default 6020, or the config file's; 0 picks a free one).")
    var port: Int?
    /// Broker configuration.
    @Option(help: ArgumentHelp(
        "With --serve: deepstream's config.yml or a JSON broker configuration (docs/broker.md).", valueName: "FILE"))
    var config: String?
    /// Proxy mode: the upstream servers (one listener each; several for the nodes of a cluster).
    @Option(help: ArgumentHelp(
        "Proxy to this deepstream server (ws://… or wss://…) and observe everything that passes; repeat it "
            + "for several nodes (each gets its own --listen).", valueName: "UPSTREAM"))
    var proxy: [String] = []
    /// Proxy listen addresses, one per upstream in the same order.
    @Option(help: ArgumentHelp(
        "With --proxy: the address to listen on (port 0 picks a free one); one per --proxy, in order "
            + "(default 127.0.0.1:6021, 6022, …).", valueName: "HOST:PORT"))
    var listen: [String] = []
    /// Extra trusted certificates for a wss:// upstream.
    @Option(name: .customLong("upstream-ca"), help: ArgumentHelp(
        "With --proxy: PEM file of certificates to trust for a wss:// upstream (besides the system's).",
        valueName: "FILE"))
    var upstreamCA: String?
    /// `--busy-poll`: see ``BusyPollOption``.
    @OptionGroup var busyPoll: BusyPollOption

    /// Rejects contradictory options.
    func validate() throws {
        if let port, !(0...65535).contains(port) { throw ValidationError("--port must be within 0…65535") }
        if serve, !proxy.isEmpty { throw ValidationError("give either --serve or --proxy, not both") }
        if !listen.isEmpty, listen.count != proxy.count {
            throw ValidationError("give one --listen per --proxy (\(proxy.count) upstreams, \(listen.count) --listen)")
        }
    }

    /// The listen address of each upstream: the given ones, or the defaults.
    var listens: [String] { listen.isEmpty ? ProxyOptions.defaultListens(count: proxy.count) : listen }
}
