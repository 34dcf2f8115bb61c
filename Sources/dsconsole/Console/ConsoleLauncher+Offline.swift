import ArgumentParser
import ConsoleCore
import ConsoleTerminal

extension ConsoleLauncher {
    /// Runs the console offline on the recording `file` (`dsconsole open`): no broker, no engine;
    /// the recording's calls arrive as traffic events while the screen is already up.
    static func runOffline(file: String, options: ConsoleOptions) async throws {
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
        var screenConfiguration = NcursesScreen.Configuration()
        screenConfiguration.reportsMouse = options.mouse
        let screen = NcursesScreen(configuration: screenConfiguration)
        do throws(TerminalError) {
            try screen.start()
        } catch {
            throw fail(error.description)
        }
        // embeddedBroker: a recording holds every client's calls, as the broker's tap does, so its rows
        // are the ones counted in the stats.
        var configuration = ConsoleConfiguration(
            url: file, user: nil, embeddedBroker: true, callLogCapacity: options.callLogCapacity)
        configuration.offlineFile = file
        let runtime = ConsoleRuntime(
            screen: screen, engine: nil, configuration: configuration, theme: theme, history: historyStore,
            logger: logger, recording: recording)
        // No mock providers offline: there is nothing to provide on.
        let ending = await runtime.run(providers: [], history: entries)
        screen.stop()
        if ending == .inputClosed {
            throw fail(TerminalError.inputClosed.description)
        }
    }
}
