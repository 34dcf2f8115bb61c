import ArgumentParser
import ConsoleCore
import ConsoleTerminal
import DeepstreamClient
import DeepstreamProtocol
import Logging

extension ConsoleLauncher {
    /// `open --url`: the server the console connects to beside the recording, and its login.
    struct RecordingServer {
        /// The server URL as given.
        var url: String
        /// `--user`, shown on the status line.
        var user: String?
        /// The login's auth data.
        var authData: JSONValue
    }

    /// Runs the console on the recording `file` (`dsconsole open`): no broker; the recording's calls
    /// arrive as traffic events while the screen is already up. Without `server` there is no engine
    /// (offline: nothing connects); with it the engine connects and logs in there, as `connect` does,
    /// so the composer and r/e on recorded calls send to it.
    static func runOffline(file: String, options: ConsoleOptions, server: RecordingServer? = nil) async throws {
        try checkTerminal()
        var recording: RecordingLoader
        do throws(CommandFailure) {
            recording = try RecordingLoader(path: file)
        } catch {
            let message = error.message
            _ = StandardStreams.writeAll(message + "\n", to: 2)
            throw ExitCode(error.status.rawValue)
        }
        let theme: Theme
        switch ThemeSelection.resolve(options.theme) {
        case .failure(let error): throw fail(error.description)
        case .success(let loaded): theme = loaded
        }
        let paths = StatePaths()
        let historyStore = HistoryStore(path: options.history ?? paths.historyFile)
        let logger = bootstrapLogging(path: options.logFile ?? paths.logFile, level: options.logLevel)
        recording.logger = logger
        // The history is loaded as usual so that saving it (after a send, which fails offline) keeps it.
        var entries: [ComposerHistoryEntry] = []
        switch historyStore.load() {
        case .success(let loaded): entries = loaded
        case .failure(let problem): logger.warning("\(problem.description)")
        }
        var engine: ClientEngine?
        if let server {
            do throws(ServerURL.ParseError) {
                var engineOptions = ClientOptions()
                engineOptions.maxMessageSize = options.maxMessageSize
                engine = try ClientEngine(url: server.url, options: engineOptions, logger: Logger(label: "dsconsole.engine"))
            } catch {
                throw fail("bad server URL \(server.url): \(error.description)")
            }
        }
        let screen: NcursesScreen
        do throws(TerminalError) {
            screen = try startScreen(options)
        } catch {
            throw fail(error.description)
        }
        // embeddedBroker offline: a recording holds every client's calls, as the broker's tap does, so
        // its rows are the ones counted in the stats. With a server it must be false: the console's own
        // calls there have no broker row, so the engine's view of them is their row (and
        // `recordingHasServer` counts both in the stats).
        var configuration = ConsoleConfiguration(
            url: engine?.url.description ?? file, user: server?.user, embeddedBroker: engine == nil,
            callLogCapacity: options.callLogCapacity)
        configuration.payloadBudget = options.payloadBudget
        configuration.offlineFile = file
        configuration.recordingHasServer = engine != nil
        let runtime = ConsoleRuntime(
            screen: screen, engine: engine, configuration: configuration, theme: theme, history: historyStore,
            logger: logger, recording: recording)
        runtime.recordingMatch = options.match
        runtime.recordingSpeed = options.speed
        // A failed login is shown by the connection state and the log, as with `connect`; the recorded
        // calls stay.
        let login = Task { [engine] in
            guard let engine, let server else { return }
            do throws(LoginError) {
                try await engine.login(server.authData)
            } catch {
                logger.warning("login failed: \(error.description)")
            }
        }
        // No mock providers: open shows a recording and resends its calls; it provides nothing at start.
        let ending = await runtime.run(providers: [], history: entries)
        screen.stop()
        login.cancel()
        await engine?.close()
        if ending == .inputClosed {
            throw fail(TerminalError.inputClosed.description)
        }
    }
}
