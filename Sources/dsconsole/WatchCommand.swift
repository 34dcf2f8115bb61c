import ArgumentParser
import DeepstreamBroker
import DeepstreamClient
import DeepstreamProtocol
import Logging

/// `dsconsole watch`: traffic as JSON Lines on stdout, for `jq`.
struct WatchCommand: AsyncParsableCommand {
    /// Command-line metadata.
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Print traffic as JSON Lines until Ctrl-C.",
        discussion: """
            With --serve, runs the embedded broker and prints all of its traffic (every call's lifecycle, \
            connections, providers). Without it, connects to --url and prints its own connection's events. \
            --frames adds every frame. The first line with --serve is {"event":"listening",…}. \
            --stats prints per-RPC statistics every --interval seconds instead of one line per event. \
            With --cluster redis://[:PASSWORD@]HOST:PORT, reads a deepstream cluster's Redis bus (read-only) \
            and prints nodes, providers and cross-node calls (docs/cluster.md).
            """)

    /// Run the embedded broker.
    @Flag(help: "Run the embedded broker and watch all of its traffic.") var serve = false
    /// Broker address.
    @Option(help: "With --serve: the address to listen on.") var host = "127.0.0.1"
    /// Broker port.
    @Option(help: "With --serve: the port to listen on (0 picks a free one).") var port = 6020
    /// Broker configuration.
    @Option(help: ArgumentHelp("With --serve: a broker configuration file (docs/broker.md).", valueName: "FILE"))
    var config: String?
    /// A deepstream cluster's Redis bus.
    @Option(help: ArgumentHelp(
        "Watch a deepstream cluster's Redis bus (read-only): nodes, providers, cross-node calls.",
        valueName: "redis://[:PASSWORD@]HOST:PORT"))
    var cluster: String?
    /// Include frames.
    @Flag(help: "Print every frame too.") var frames = false
    /// Print statistics instead of events.
    @Flag(help: "Print per-RPC statistics (counts, errors, latency percentiles) every --interval seconds instead of events.")
    var stats = false
    /// Seconds between statistics lines.
    @Option(help: ArgumentHelp("With --stats: seconds between lines.", valueName: "S")) var interval: Double = 1

    @OptionGroup var connection: ConnectionOptions

    /// Rejects contradictory options.
    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be within 0…65535") }
        guard interval >= 0.05, interval <= 86_400 else { throw ValidationError("--interval must be within 0.05…86400 seconds") }
        if stats && frames { throw ValidationError("--stats and --frames do not go together") }
        if cluster != nil && (serve || frames) { throw ValidationError("--cluster goes without --serve and --frames") }
    }

    /// Runs until SIGINT/SIGTERM (or, without --serve, until the connection is lost).
    func run() async throws {
        do {
            if let cluster {
                try await ClusterWatch.run(url: cluster, statsInterval: stats ? .milliseconds(Int(interval * 1000)) : nil)
            } else if serve { try await watchBroker() } else { try await watchOwnConnection() }
        } catch {
            let failure = error
            StandardStreams.printError(failure.message)
            throw ExitCode(failure.status.rawValue)
        }
    }

    private func watchBroker() async throws(CommandFailure) {
        var configuration = BrokerConfiguration()
        if let config {
            do { configuration = try BrokerConfiguration.load(fromFile: config) } catch {
                throw CommandFailure(.dataError, "dsconsole: \(error.description)")
            }
        }
        configuration.host = host
        configuration.port = port
        // Only warnings: stderr stays free for the command's own lines.
        var logger = Logger(label: "dsconsole.broker")
        logger.logLevel = .warning
        let broker = Broker(configuration: configuration, logger: logger)
        TerminationSignal.install()
        let tap = broker.tap(bufferingNewest: 100_000, includingFrames: frames)
        let address: String
        do {
            let bound = try await broker.start()
            address = "\(host):\(bound.port ?? port)"
        } catch {
            await broker.shutdown()
            throw CommandFailure(.unavailable, "dsconsole: \(error.description)")
        }
        StandardStreams.printLine(JSONValue.object(JSONObject([
            ("ts", .number(JSONNumber(ClientEngine.wallClock().description) ?? JSONNumber(0))),
            ("event", "listening"), ("address", .string(address)),
            ("url", .string("ws://\(address)/deepstream")),
        ])).jsonText)
        let statsLines = stats ? StatsLines(interval: .milliseconds(Int(interval * 1000))) : nil
        let statsPrinter = Task { await statsLines?.run() }
        let printer = Task {
            for await event in tap {
                if let statsLines {
                    statsLines.observe(event)
                } else if let line = EventJSONLines.object(for: event, frames: frames) {
                    StandardStreams.printLine(line.jsonText)
                }
            }
        }
        _ = await TerminationSignal.wait()
        // Read before shutdown: the broker's loop cannot answer afterwards.
        let dropped = broker.droppedTapEvents
        await broker.shutdown(gracePeriod: .milliseconds(200))
        await printer.value
        statsPrinter.cancel()
        await statsPrinter.value
        if dropped > 0 { StandardStreams.printError("dsconsole: \(dropped) tap events were dropped (stdout too slow)") }
    }

    private func watchOwnConnection() async throws(CommandFailure) {
        let engine: ClientEngine
        do { engine = try ClientEngine(url: connection.url, options: connection.clientOptions()) } catch {
            throw CommandFailure(.usage, "dsconsole: bad --url \(connection.url): \(error.description)")
        }
        TerminationSignal.install()
        let events = engine.events(bufferingNewest: 100_000)
        let statsLines = stats ? StatsLines(interval: .milliseconds(Int(interval * 1000))) : nil
        let statsPrinter = Task { await statsLines?.run() }
        let printer = Task { () -> Bool in
            for await event in events {
                if let statsLines {
                    statsLines.observe(event)
                } else if let line = EventJSONLines.object(for: event, frames: frames) {
                    StandardStreams.printLine(line.jsonText)
                }
                if case .stateChanged(_, .closed, _) = event { return true }
            }
            return false
        }
        do {
            try await ConnectionOptions.login(engine, with: try connection.authData(), timeout: connection.connectTimeout)
        } catch {
            statsPrinter.cancel()
            printer.cancel()
            throw error
        }
        let stopping = Locked(false)
        let closed = await withTaskGroup(of: Bool.self) { group in
            group.addTask { await printer.value }
            group.addTask {
                if await TerminationSignal.wait() != nil {
                    stopping.withLock { $0 = true }
                    await engine.close()
                }
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        await engine.close()
        statsPrinter.cancel()
        await statsPrinter.value
        // The printer also sees CLOSED after our own close() on a signal: only an unasked close is a loss.
        if closed, !stopping.value { throw CommandFailure(.unavailable, "dsconsole: lost the connection to \(engine.url)") }
    }
}
