import DeepstreamBroker
import DeepstreamClient
import DeepstreamProtocol
import DeepstreamProxy
import Logging

/// Starts the embedded broker (`--serve`) or the proxy (`--proxy`) for a headless observer of all
/// traffic (`watch`, `record`), so both commands share the wiring and its one-line errors.
enum ObservedServer {
    /// A started embedded broker with its tap.
    struct StartedBroker {
        /// The broker (shut it down when done).
        let broker: Broker
        /// Every call and connection event (frames only when asked).
        let tap: AsyncStream<TrafficEvent>
        /// `host:port` it listens on.
        let address: String
        /// The binary-protocol WebSocket URL.
        let url: String
    }

    /// A started proxy with its event stream.
    struct StartedProxy {
        /// One listener: where clients connect and the node behind it.
        struct Listener {
            /// `host:port` it listens on.
            let address: String
            /// The URL clients connect to.
            let url: String
            /// The upstream server.
            let upstream: String
        }

        /// The proxy (shut it down when done).
        let proxy: Proxy
        /// Every call and connection event that passes (frames only when asked).
        let events: AsyncStream<TrafficEvent>
        /// One per upstream, in the order given.
        let listeners: [Listener]

        /// The first output line: the first listener's address, URL and upstream (all a script with
        /// one upstream reads), plus `listeners` with every one of them when there are several.
        func listeningLine(extra: [(String, JSONValue)] = []) -> String {
            var fields = extra
            if listeners.count > 1 {
                let all = listeners.map { listener -> JSONValue in
                    .object(JSONObject([
                        ("address", .string(listener.address)), ("url", .string(listener.url)),
                        ("upstream", .string(listener.upstream)),
                    ]))
                }
                fields.insert(("listeners", .array(all)), at: 0)
            }
            let first = listeners[0]
            return ObservedServer.listeningLine(address: first.address, url: first.url, upstream: first.upstream, extra: fields)
        }
    }

    /// Loads `configFile` (if any), applies `host`/`port` and the steering rules of `rulesFile` (if
    /// any) and starts the broker; the tap keeps the newest 100,000 events for a slow consumer.
    static func startBroker(
        configFile: String?, host: String?, port: Int?, rulesFile: String? = nil, frames: Bool,
        busyPoll: Duration = .zero
    ) async throws(CommandFailure) -> StartedBroker {
        var configuration = BrokerConfiguration()
        if let configFile {
            do { configuration = try BrokerConfiguration.load(fromFile: configFile) } catch {
                throw CommandFailure(.dataError, "dsconsole: \(error.description)")
            }
            if let warning = configuration.ignoredSettingsWarning {
                StandardStreams.printError("dsconsole: \(configFile): \(warning)")
            }
        }
        if let host { configuration.host = host }
        if let port { configuration.port = port }
        configuration.busyPollWindow = busyPoll
        if let rulesFile { configuration.steering = try RulesFileOption.load(rulesFile) }
        // Only warnings: stderr stays free for the command's own lines.
        var logger = Logger(label: "dsconsole.broker")
        logger.logLevel = .warning
        let broker = Broker(configuration: configuration, logger: logger)
        let tap = broker.tap(bufferingNewest: 100_000, includingFrames: frames)
        let address: String
        do {
            let bound = try await broker.start()
            address = "\(configuration.host):\(bound.port ?? configuration.port)"
        } catch {
            await broker.shutdown()
            throw CommandFailure(.unavailable, "dsconsole: \(error.description)")
        }
        let url = "ws://\(address)\(configuration.webSocketPath(for: .binary) ?? "/deepstream")"
        return StartedBroker(broker: broker, tap: tap, address: address, url: url)
    }

    /// Starts a proxy to each of `upstreams`, the one at index i listening on `listens[i]` (several
    /// upstreams name users `user@node`, as in the console); with `events` off the stream ends at
    /// once (only the proxy's counters are wanted).
    static func startProxy(
        upstreams: [String], listens: [String], caFile: String?, events wantsEvents: Bool, frames: Bool,
        rulesFile: String? = nil, busyPoll: Duration = .zero
    ) async throws(CommandFailure) -> StartedProxy {
        var configurations = try ProxyOptions.configurations(
            upstreams: upstreams, listens: listens, caFile: caFile, rulesFile: rulesFile, busyPoll: busyPoll)
        // Headless: nobody could resolve a held call, so `hold` rules are skipped (docs/rules.md).
        for index in configurations.indices { configurations[index].holdsCalls = false }
        let proxy: Proxy
        do { proxy = try Proxy(configurations: configurations) } catch {
            throw CommandFailure(.usage, "dsconsole: bad TLS settings for \(upstreams.joined(separator: ", ")): \(error)")
        }
        let events = wantsEvents
            ? proxy.events(bufferingNewest: 100_000, includingFrames: frames) : AsyncStream { $0.finish() }
        do {
            _ = try await proxy.start()
        } catch {
            await proxy.shutdown()
            throw CommandFailure(.unavailable, "dsconsole: \(error.description)")
        }
        let listeners = zip(proxy.addresses, configurations).map { address, configuration in
            let port = address.port ?? configuration.port
            return StartedProxy.Listener(
                address: "\(configuration.host):\(port)", url: ProxyOptions.url(host: configuration.host, port: port),
                upstream: configuration.upstream.description)
        }
        return StartedProxy(proxy: proxy, events: events, listeners: listeners)
    }

    /// The `{"event":"listening",…}` line `watch` and `record` print first.
    static func listeningLine(address: String, url: String, upstream: String?, extra: [(String, JSONValue)] = []) -> String {
        var o = JSONObject([
            ("ts", .number(JSONNumber(ClientEngine.wallClock().description) ?? JSONNumber(0))),
            ("event", "listening"), ("address", .string(address)), ("url", .string(url)),
        ])
        if let upstream { o["upstream"] = .string(upstream) }
        for (key, value) in extra { o[key] = value }
        return JSONValue.object(o).jsonText
    }

    /// Waits until `consumer` (reading `engine`'s events; it returns true when it saw the connection
    /// close) ends or SIGINT/SIGTERM arrives, then closes the engine. Returns whether the connection
    /// was lost: a close nobody asked for (the consumer also sees CLOSED after our own close()).
    static func follow(_ engine: ClientEngine, until consumer: Task<Bool, Never>) async -> Bool {
        let stopping = Locked(false)
        let closed = await withTaskGroup(of: Bool.self) { group in
            group.addTask { await consumer.value }
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
        return closed && !stopping.value
    }
}
