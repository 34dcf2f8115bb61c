import ArgumentParser
import ConsoleCore
import ConsoleTerminal
import DeepstreamBroker
import DeepstreamClient
import DeepstreamProtocol
import Foundation
import Logging

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
        /// Start the embedded broker on `host:port` and watch all its traffic.
        case embedded(host: String, port: Int)
        /// Connect to an existing server and log in with `authData`.
        case remote(url: String, user: String?, authData: JSONValue)
    }

    /// Runs the console until the user quits; throws the exit code on failure.
    static func run(_ target: Target, options: ConsoleOptions) async throws {
        try checkTerminal()
        let theme: Theme
        let providers: [OwnProviderSpecSource]
        switch (ThemeSelection.resolve(options.theme), BuiltInProviders.load(path: options.providers)) {
        case (.failure(let error), _), (_, .failure(let error)):
            throw fail(error.description)
        case (.success(let loadedTheme), .success(let file)):
            theme = loadedTheme
            providers = file.providers.map { OwnProviderSpecSource(definition: $0, provideAtStart: file.provideOnStart) }
        }
        let paths = StatePaths()
        let historyStore = HistoryStore(path: options.history ?? paths.historyFile)
        let logger = bootstrapLogging(path: options.logFile ?? paths.logFile, level: options.logLevel)
        var entries: [ComposerHistoryEntry] = []
        switch historyStore.load() {
        case .success(let loaded): entries = loaded
        case .failure(let problem): logger.warning("\(problem.description)")
        }

        var broker: Broker?
        let url: String
        let user: String?
        let authData: JSONValue
        switch target {
        case .embedded(let host, let port):
            var configuration = BrokerConfiguration()
            configuration.host = host
            configuration.port = port
            configuration.shutdownGracePeriod = .milliseconds(300)
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
            url = "ws://\(connectHost.contains(":") ? "[\(connectHost)]" : connectHost):\(boundPort)/deepstream"
            // The embedded broker's open authentication takes the username as given: the console's own
            // connection then reads `#1 console` in routes and in the remote providers list.
            user = "console"
            authData = ["username": "console"]
        case .remote(let remoteURL, let remoteUser, let remoteAuth):
            url = remoteURL
            user = remoteUser
            authData = remoteAuth
        }

        let engine: ClientEngine
        do throws(ServerURL.ParseError) {
            var engineOptions = ClientOptions()
            engineOptions.maxMessageSize = options.maxMessageSize
            engine = try ClientEngine(url: url, options: engineOptions, logger: Logger(label: "dsconsole.engine"))
        } catch {
            await broker?.shutdown()
            throw fail("bad server URL \(url): \(error.description)")
        }
        if let broker { await engine.relay(broker.tap(bufferingNewest: 20_000, includingFrames: false)) }

        let screen = NcursesScreen()
        do throws(TerminalError) {
            try screen.start()
        } catch {
            await broker?.shutdown()
            throw fail(error.description)
        }
        let configuration = ConsoleConfiguration(
            url: engine.url.description, user: user, embeddedBroker: broker != nil,
            callLogCapacity: options.callLogCapacity)
        let runtime = ConsoleRuntime(
            screen: screen, engine: engine, configuration: configuration, theme: theme, history: historyStore,
            logger: logger)
        let login = Task {
            do throws(LoginError) {
                try await engine.login(authData)
            } catch {
                logger.warning("login failed: \(error.description)")
            }
        }
        let ending = await runtime.run(providers: providers, history: entries)
        screen.stop()
        login.cancel()
        await engine.close()
        await broker?.shutdown(gracePeriod: .milliseconds(300))
        if ending == .inputClosed {
            throw fail(TerminalError.inputClosed.description)
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
    private static func bootstrapLogging(path: String, level: String) -> Logger {
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
}
