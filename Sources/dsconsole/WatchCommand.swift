import ArgumentParser
import DeepstreamBroker
import DeepstreamClient
import DeepstreamProtocol
import DeepstreamProxy
import Logging

/// `dsconsole watch`: traffic as JSON Lines on stdout, for `jq`.
struct WatchCommand: AsyncParsableCommand {
    /// Command-line metadata.
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Print traffic as JSON Lines until Ctrl-C.",
        discussion: """
            With --serve, runs the embedded broker and prints all of its traffic (every call's lifecycle, \
            connections, providers). With --proxy UPSTREAM, listens on --listen and forwards every connection \
            to UPSTREAM, printing all the traffic that passes in the same vocabulary. Without either, connects \
            to --url and prints its own connection's events. --frames adds every frame. The first line with \
            --serve or --proxy is {"event":"listening",…}. --stats prints per-RPC statistics every --interval \
            seconds instead of one line per event. \
            With --cluster redis://[:PASSWORD@]HOST:PORT, reads a deepstream cluster's Redis bus (read-only) \
            and prints nodes, providers and cross-node calls (docs/cluster.md).
            """)

    @OptionGroup var source: ObservedSourceOptions
    /// Steering rules for the embedded broker or the proxy (docs/rules.md).
    @Option(name: .customLong("rules"), help: ArgumentHelp("With --serve or --proxy: " + RulesFileOption.help, valueName: "FILE"))
    var rulesFile: String?
    /// Proxy per-topic counters interval.
    @Option(name: .customLong("topic-interval"), help: ArgumentHelp(
        "With --proxy: print a proxyStats line (messages/s per topic, drops) every S seconds; 0 = never.",
        valueName: "S"))
    var topicInterval: Double = 5
    /// Only the per-topic counter lines.
    @Flag(name: .customLong("topics-only"), help: "With --proxy: print only the listening and proxyStats lines.")
    var topicsOnly = false
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
        guard interval >= 0.05, interval <= 86_400 else { throw ValidationError("--interval must be within 0.05…86400 seconds") }
        if stats && frames { throw ValidationError("--stats and --frames do not go together") }
        if rulesFile != nil, !source.serve, source.proxy.isEmpty {
            throw ValidationError("--rules needs --serve or --proxy (a plain connection cannot steer other clients' calls)")
        }
        guard topicInterval >= 0, topicInterval.isFinite else { throw ValidationError("--topic-interval must be 0 or more") }
        if stats && topicsOnly { throw ValidationError("--stats and --topics-only do not go together") }
        if cluster != nil && (source.serve || frames || !source.proxy.isEmpty) { throw ValidationError("--cluster goes without --serve, --proxy and --frames") }
    }

    /// Runs until SIGINT/SIGTERM (or, without --serve, until the connection is lost).
    func run() async throws {
        OutputClosureWatcher.start(.gracefully)
        do {
            if let cluster {
                try await ClusterWatch.run(url: cluster, statsInterval: stats ? .milliseconds(Int(interval * 1000)) : nil)
            } else if !source.proxy.isEmpty {
                try await watchProxy()
            } else if source.serve {
                try await watchBroker()
            } else {
                try await watchOwnConnection()
            }
        } catch {
            let failure = error
            StandardStreams.printError(failure.message)
            throw ExitCode(failure.status.rawValue)
        }
    }

    private func watchBroker() async throws(CommandFailure) {
        TerminationSignal.install()
        let started = try await ObservedServer.startBroker(
            configFile: source.config, host: source.host, port: source.port, rulesFile: rulesFile, frames: frames,
            busyPoll: source.busyPoll.window)
        let broker = started.broker
        let tap = started.tap
        StandardStreams.printLine(ObservedServer.listeningLine(address: started.address, url: started.url, upstream: nil))
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

    private func watchProxy() async throws(CommandFailure) {
        TerminationSignal.install()
        let started = try await ObservedServer.startProxy(
            upstreams: source.proxy, listens: source.listens, caFile: source.upstreamCA, events: !topicsOnly,
            frames: frames, rulesFile: rulesFile, busyPoll: source.busyPoll.window)
        let proxy = started.proxy
        let events = started.events
        StandardStreams.printLine(started.listeningLine())
        let statsLines = stats ? StatsLines(interval: .milliseconds(Int(interval * 1000))) : nil
        let statsPrinter = Task { await statsLines?.run() }
        let printer = Task {
            for await event in events {
                if let statsLines {
                    statsLines.observe(event)
                } else if let line = EventJSONLines.object(for: event, frames: frames) {
                    StandardStreams.printLine(line.jsonText)
                }
            }
        }
        let interval = topicInterval
        let topicCounts = Task {
            guard interval > 0 else { return }
            var previous = proxy.statistics
            var previousTime = ContinuousClock.now
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(Int64(interval * 1000)))
                if Task.isCancelled { break }
                let current = proxy.statistics
                let now = ContinuousClock.now
                StandardStreams.printLine(ProxyOptions.statsLine(current, previous: previous, over: now - previousTime).jsonText)
                previous = current
                previousTime = now
            }
        }
        _ = await TerminationSignal.wait()
        topicCounts.cancel()
        await topicCounts.value
        await proxy.shutdown()
        await printer.value
        statsPrinter.cancel()
        await statsPrinter.value
        StandardStreams.printError(ProxyOptions.summary(proxy.statistics))
        let dropped = proxy.statistics.droppedEvents
        if dropped > 0 { StandardStreams.printError("dsconsole: \(dropped) events were dropped (stdout too slow)") }
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
        let lost = await ObservedServer.follow(engine, until: printer)
        statsPrinter.cancel()
        await statsPrinter.value
        if lost { throw CommandFailure(.unavailable, "dsconsole: lost the connection to \(engine.url)") }
    }
}
