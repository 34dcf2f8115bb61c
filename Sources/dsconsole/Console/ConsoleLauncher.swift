import ArgumentParser
import ConsoleCore
import ConsoleTerminal
import DeepstreamBroker
import DeepstreamClient
import DeepstreamCluster
import DeepstreamProtocol
import DeepstreamProxy
import Foundation
import Logging
import MockProviders

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Starts the console: checks the terminal, loads the theme, providers and history, starts the
/// embedded broker (or not), creates the engine, runs the ``ConsoleRuntime`` and cleans up on the way
/// out. Every start-up failure is one line on standard error and exit status 1.
enum ConsoleLauncher {
    /// Where the console's engine connects.
    enum Target {
        /// Start the embedded broker with `configuration`, log in with `authData` and watch all its
        /// traffic; `configFile` names the file the configuration came from, if any.
        case embedded(configuration: BrokerConfiguration, authData: JSONValue, configFile: String?)
        /// Connect to an existing server and log in with `authData`; provide only `provide` at start.
        case remote(url: String, user: String?, authData: JSONValue, provide: ProvideSelection)
        /// Start a proxy in front of a real server (or one listener per node of a cluster), connect
        /// through the first and watch all their traffic.
        case proxied([ProxyConfiguration], user: String?, authData: JSONValue)
        /// Show a deepstream cluster's Redis bus, read-only (the engine talks to a private embedded
        /// broker on a free port; see docs/cluster.md); with `proxy`, also a proxy in front of one node,
        /// whose calls join the bus's (the engine then connects through the proxy).
        case cluster(RedisEndpoint, proxy: ProxyConfiguration?)
    }

    /// Which of the console's providers a remote server gets at start (`connect --provide`).
    enum ProvideSelection: Equatable {
        /// None: the console must not answer other clients' calls on a shared server unasked.
        case none
        /// Every provider of the providers file.
        case all
        /// These names.
        case named(Set<String>)

        func includes(_ name: String) -> Bool {
            switch self {
            case .none: false
            case .all: true
            case .named(let names): names.contains(name)
            }
        }
    }

    /// Runs the console until the user quits; throws the exit code on failure.
    static func run(_ target: Target, options: ConsoleOptions) async throws {
        try checkTerminal()
        let theme: Theme
        let providers: [OwnProviderSpecSource]
        var recordingNotes: [String] = []
        switch (ThemeSelection.resolve(options.theme), BuiltInProviders.load(path: options.providers)) {
        case (.failure(let error), _), (_, .failure(let error)):
            throw fail(error.description)
        case (.success(let loadedTheme), .success(let file)):
            theme = loadedTheme
            let (recorded, notes) = try recordedProviders(options)
            recordingNotes = notes
            providers = ownProviders(file, recorded: recorded, target: target)
            if case .remote(_, _, _, .named(let names)) = target {
                let unknown = names.subtracting(providers.map(\.provider.name)).sorted()
                if !unknown.isEmpty { throw fail("--provide: no such provider: \(unknown.joined(separator: ", "))") }
            }
        }
        let paths = StatePaths()
        let historyStore = HistoryStore(path: options.history ?? paths.historyFile)
        let logger = bootstrapLogging(path: options.logFile ?? paths.logFile, level: options.logLevel)
        for note in recordingNotes { logger.notice("\(note)") }
        var entries: [ComposerHistoryEntry] = []
        switch historyStore.load() {
        case .success(let loaded): entries = loaded
        case .failure(let problem): logger.warning("\(problem.description)")
        }

        // The cluster view runs the engine against a private embedded broker on a free port.
        var target = target
        var clusterEndpoint: RedisEndpoint?
        if case .cluster(let endpoint, let proxyConfiguration) = target {
            clusterEndpoint = endpoint
            if let proxyConfiguration {
                target = .proxied([proxyConfiguration], user: "console", authData: ["username": "console"])
            } else {
                var configuration = BrokerConfiguration()
                configuration.host = "127.0.0.1"
                configuration.port = 0
                target = .embedded(configuration: configuration, authData: ["username": "console"], configFile: nil)
            }
        }
        var broker: Broker?
        var proxy: Proxy?
        let url: String
        let user: String?
        let authData: JSONValue
        switch target {
        case .embedded(var configuration, let embeddedAuthData, let configFile):
            let host = configuration.host
            let port = configuration.port
            configuration.shutdownGracePeriod = .milliseconds(300)
            if let configFile, let warning = configuration.ignoredSettingsWarning {
                logger.warning("\(configFile): \(warning)")
            }
            let embedded = Broker(configuration: configuration, logger: Logger(label: "dsconsole.broker"))
            let boundPort: Int
            do throws(BrokerStartError) {
                boundPort = try await embedded.start().port ?? port
            } catch {
                await embedded.shutdown()
                let hint = error.reason.lowercased().contains("in use")
                    ? "; is another dsconsole or deepstream running? Choose another port with --port" : ""
                throw fail("\(error.description)\(hint)")
            }
            broker = embedded
            let connectHost = ["0.0.0.0", "::", ""].contains(host) ? "127.0.0.1" : host
            let path = configuration.webSocketPath(for: .binary) ?? configuration.webSocketPath(for: .json) ?? "/deepstream"
            url = "ws://\(connectHost.contains(":") ? "[\(connectHost)]" : connectHost):\(boundPort)\(path)"
            // The embedded broker's open authentication takes the username as given: the console's own
            // connection then reads `#1 console` in routes and in the remote providers list.
            user = embeddedAuthData["username"]?.stringValue ?? "console"
            authData = embeddedAuthData
        case .remote(let remoteURL, let remoteUser, let remoteAuth, _):
            url = remoteURL
            user = remoteUser
            authData = remoteAuth
        case .proxied(let configurations, let proxyUser, let proxyAuth):
            let configuration = configurations[0]
            let started: Proxy
            do {
                started = try Proxy(configurations: configurations)
            } catch {
                throw fail("bad TLS settings for \(configurations.map(\.upstream.description).joined(separator: ", ")): \(error)")
            }
            let boundPort: Int
            do throws(ProxyStartError) {
                boundPort = try await started.start().port ?? configuration.port
            } catch {
                await started.shutdown()
                let hint = error.reason.lowercased().contains("in use") ? "; choose another address with --listen" : ""
                throw fail("\(error.description)\(hint)")
            }
            proxy = started
            url = ProxyOptions.url(host: configuration.host, port: boundPort)
            // With several upstreams the proxy names users `user@node`; the console's own connection goes
            // through the first listener, so that is how its rows and registrations read.
            user = configurations.count > 1 ? proxyUser.map { "\($0)@\(configuration.upstream.nodeName)" } : proxyUser
            authData = proxyAuth
        case .cluster:
            preconditionFailure("a cluster target was mapped to its private embedded broker above")
        }

        let engine: ClientEngine
        do throws(ServerURL.ParseError) {
            var engineOptions = ClientOptions()
            engineOptions.maxMessageSize = options.maxMessageSize
            engine = try ClientEngine(url: url, options: engineOptions, logger: Logger(label: "dsconsole.engine"))
        } catch {
            await broker?.shutdown()
            await proxy?.shutdown()
            throw fail("bad server URL \(url): \(error.description)")
        }
        var clusterFeed: ClusterFeed?
        var clusterStreams: ClusterConsoleBridge.Streams?
        if let clusterEndpoint {
            let feed = ClusterWatch.makeFeed(clusterEndpoint)
            // With a proxy, its traffic joins the bus's in the bridge (one row per call).
            let proxied = proxy?.events(bufferingNewest: 20_000, includingFrames: false)
            clusterStreams = ClusterConsoleBridge.split(
                feed.events(), redis: clusterEndpoint, proxy: proxied, proxyUpstream: proxy?.configurations.first?.upstream.description)
            clusterFeed = feed
        } else if let broker {
            // Collected for as long as the loop waits between takes of engine events anyway: one
            // hand-over per loop round woke the relay and the loop thousands of times a second.
            await engine.relay(
                batches: broker.tapBatches(
                    bufferingNewest: 1_024, includingFrames: false, collectingFor: ConsoleRuntime.engineInterval))
        }
        if let proxy, clusterEndpoint == nil {
            await engine.relay(batches: proxy.eventBatches(bufferingNewest: 1_024, includingFrames: false))
        }

        let screen: NcursesScreen
        do throws(TerminalError) {
            screen = try startScreen(options)
        } catch {
            await broker?.shutdown()
            await proxy?.shutdown()
            throw fail(error.description)
        }
        // In proxy mode the status line reads `listen URL → upstream`: where apps connect, and to what.
        let shownURL = proxy.map { proxy in
            zip(proxy.addresses, proxy.configurations).map { address, configuration in
                "\(ProxyOptions.url(host: configuration.host, port: address.port ?? configuration.port)) → \(configuration.upstream.description)"
            }.joined(separator: " · ")
        } ?? engine.url.description
        var configuration = ConsoleConfiguration(
            url: clusterEndpoint.map { ClusterCommand.statusText(redis: $0, proxy: proxy == nil ? nil : shownURL) } ?? shownURL, user: user,
            embeddedBroker: broker != nil || proxy != nil,
            callLogCapacity: options.callLogCapacity)
        configuration.payloadBudget = options.payloadBudget
        // Steering needs the console's own broker (the cluster view's private one only relays).
        configuration.canSteer = broker != nil && clusterEndpoint == nil
        configuration.canSwitchProviders = configuration.canSteer || proxy != nil
        configuration.canEditRules = configuration.canSwitchProviders
        let runtime = ConsoleRuntime(
            screen: screen, engine: engine, configuration: configuration, theme: theme, history: historyStore,
            logger: logger, broker: clusterEndpoint == nil ? broker : nil, proxy: proxy)
        runtime.recordingMatch = options.match
        runtime.recordingSpeed = options.speed
        if let proxy { runtime.topicCounts = { proxy.statistics.observer.messagesPerTopic } }
        if let clusterStreams { runtime.relay(clusterStreams.actions) }
        let relayedStreams = clusterStreams
        let login = Task {
            do throws(LoginError) {
                try await engine.login(authData)
            } catch {
                logger.warning("login failed: \(error.description)")
            }
            // The cluster feed is relayed once the runtime listens (it subscribes before the login can
            // finish); until then its streams buffer, so the first nodes and notices are not lost.
            if let relayedStreams {
                await engine.relay(relayedStreams.traffic)
                await engine.relay(relayedStreams.notices)
            }
        }
        // The cluster view is read-only: no mock providers on the private broker.
        let ending = await runtime.run(providers: clusterFeed == nil ? providers : [], history: entries)
        screen.stop()
        login.cancel()
        await engine.close()
        await broker?.shutdown(gracePeriod: .milliseconds(300))
        if let proxy {
            await proxy.shutdown()
            // The proxy's own counters (observation drops, per-topic messages) go to the log file.
            logger.notice("\(ProxyOptions.summary(proxy.statistics)); events dropped \(proxy.statistics.droppedEvents)")
        }
        if ending == .inputClosed {
            throw fail(TerminalError.inputClosed.description)
        }
    }

    /// The console's own providers: the providers file's, then the recording's; a recorded name
    /// replaces the mock of the same name (serving the recording was asked for).
    static func ownProviders(_ file: ProvidersFile, recorded: [ServedProvider], target: Target) -> [OwnProviderSpecSource] {
        let recordedNames = Set(recorded.map(\.name))
        let all = file.providers.filter { !recordedNames.contains($0.name) }.map(ServedProvider.mock) + recorded
        return all.map { provider in
            // The providers file's provideOnStart applies to the embedded broker only (a recording is
            // always provided there).
            let provide = switch target {
            case .embedded: provider.recording != nil || file.provideOnStart
            case .remote(_, _, _, let selection): selection.includes(provider.name)
            // In front of a real server the console's providers would answer the apps' calls: opt-in
            // with Space, as on a remote server.
            case .proxied: false
            case .cluster: false
            }
            return OwnProviderSpecSource(provider: provider, provideAtStart: provide)
        }
    }

    /// The providers of `--providers-from-recording` (none without it). A file that cannot be read
    /// (66), is not a recording or has any bad line (65) stops the start with one line naming the
    /// first bad line, as `replay` does: a console silently answering `notRecorded` for calls lost to
    /// a bad line would mislead.
    /// Also returns the notes on recorded calls that cannot be played back (for the log file).
    static func recordedProviders(_ options: ConsoleOptions) throws -> ([ServedProvider], notes: [String]) {
        guard let path = options.providersFromRecording else { return ([], []) }
        do throws(CommandFailure) {
            let loaded = try RecordingProviderHost.load(path, match: options.match, speed: options.speed)
            if let bad = loaded.firstBadLine {
                let count = loaded.badLineCount
                throw CommandFailure(.dataError, "dsconsole: \(path): \(bad) (\(count) bad line\(count == 1 ? "" : "s"))")
            }
            return (loaded.providers, loaded.notes)
        } catch {
            _ = StandardStreams.writeAll(error.message + "\n", to: 2)
            throw ExitCode(error.status.rawValue)
        }
    }

    /// Fails unless standard input and output are a usable terminal. Checked first: a console that
    /// cannot draw should not bind ports or ask for passwords.
    static func checkTerminal() throws {
        if case .failure(let problem) = TerminalEnvironment.current().validate() {
            throw fail(problem.description)
        }
    }

    /// Sends every log of the process to `path` (never to the screen) and returns the console's logger.
    static func bootstrapLogging(path: String, level: String) -> Logger {
        let sink = FileLogHandler.Sink(path: path)
        let logLevel = Logger.Level(rawValue: level) ?? .notice
        LoggingSystem.bootstrap { label in FileLogHandler(label: label, sink: sink, level: logLevel) }
        return Logger(label: "dsconsole.console")
    }

    /// Writes `dsconsole: message` to standard error and returns exit status 1.
    ///
    /// Plain write(2), errors ignored: when the terminal has gone away, standard error is that dead
    /// terminal, and `FileHandle.write` traps on the EIO (a crash instead of the exit status).
    static func fail(_ message: String) -> ExitCode {
        let bytes = Array("dsconsole: \(message)\n".utf8)
        _ = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
        return .failure
    }

    /// The ncurses screen, started (mouse reporting as the options say).
    static func startScreen(_ options: ConsoleOptions) throws(TerminalError) -> NcursesScreen {
        var configuration = NcursesScreen.Configuration()
        configuration.reportsMouse = options.mouse
        let screen = NcursesScreen(configuration: configuration)
        try screen.start()
        return screen
    }
}
