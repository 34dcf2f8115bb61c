import ArgumentParser
import DeepstreamBroker
import DeepstreamProtocol

/// `dsconsole` (no subcommand): the console on its own embedded broker, showing all the traffic.
struct LocalConsoleCommand: AsyncParsableCommand {
    /// Command-line metadata.
    static let configuration = CommandConfiguration(
        commandName: "console",
        abstract: "Open the console on an embedded broker (the default command).",
        discussion: """
            Starts a deepstream-compatible broker on HOST:PORT (ws://HOST:PORT/deepstream), connects the \
            console to it and shows every call any client makes through it. Other programs connect to the \
            same address. Press ? in the console for the keys, q to quit.
            """
    )

    /// `--host`.
    @Option(help: "Address the embedded broker binds (default 127.0.0.1, or the config file's).")
    var host: String?

    /// `--port`.
    @Option(help: "Port the embedded broker listens on (default 6020, or the config file's; 0 picks a free port).")
    var port: Int?

    /// `--config`.
    @Option(help: ArgumentHelp(
        "Run the embedded broker on deepstream's config.yml or a JSON broker configuration (docs/broker.md).",
        valueName: "FILE"))
    var config: String?

    /// `--auth-json`.
    @Option(
        name: .customLong("auth-json"),
        help: ArgumentHelp(
            "The console's own login on the embedded broker (default {\"username\":\"console\"}; needed when --config has file auth).",
            valueName: "JSON"))
    var authJSON: String?

    /// `--rules`.
    @Option(name: .customLong("rules"), help: ArgumentHelp(RulesFileOption.help, valueName: "FILE"))
    var rulesFile: String?

    /// `--busy-poll`: see ``BusyPollOption``.
    @OptionGroup var busyPoll: BusyPollOption

    /// `--coalesce-reads`: see ``CoalesceReadsOption`` (500 µs by default here: the console favours
    /// staying light while it is watched).
    @OptionGroup var coalesceReads: CoalesceReadsOption

    /// The console's default `--coalesce-reads`, in microseconds (docs/broker.md, "Read coalescing").
    static let defaultCoalescingMicroseconds = 500

    /// The shared console options.
    @OptionGroup var options: ConsoleOptions

    func validate() throws {
        try coalesceReads.validate(against: busyPoll)
        if let port, !(0...65535).contains(port) { throw ValidationError("--port must be from 0 to 65535") }
    }

    func run() async throws {
        var configuration = BrokerConfiguration()
        if let config {
            do throws(BrokerConfigurationError) {
                configuration = try BrokerConfiguration.load(fromFile: config)
            } catch {
                throw ConsoleLauncher.fail(error.description)
            }
        }
        if let host { configuration.host = host }
        if let port { configuration.port = port }
        configuration.busyPollWindow = busyPoll.window
        configuration.readCoalescingNap = coalesceReads.nap(
            defaultMicroseconds: Self.defaultCoalescingMicroseconds, busyPoll: busyPoll)
        // The default nap is best effort: if it cannot be set up the console still starts.
        configuration.pacingRequired = coalesceReads.isPacingRequired(
            napIsOn: configuration.readCoalescingNap > .zero, busyPoll: busyPoll)
        if let rulesFile {
            do throws(CommandFailure) { configuration.steering = try RulesFileOption.load(rulesFile) } catch {
                throw ConsoleLauncher.fail(String(error.message.dropFirst("dsconsole: ".count)))
            }
        }
        var authData: JSONValue = ["username": "console"]
        if let authJSON {
            guard let parsed = try? JSONValue(parsing: authJSON), case .object = parsed else {
                throw ConsoleLauncher.fail("--auth-json must be a JSON object, e.g. '{\"username\": \"ops\", \"password\": \"…\"}'")
            }
            authData = parsed
        }
        try await ConsoleLauncher.run(
            .embedded(configuration: configuration, authData: authData, configFile: config), options: options)
    }
}
