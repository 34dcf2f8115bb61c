import ArgumentParser
import ConsoleCore
import DeepstreamClient
import Logging

/// The options every console mode shares (`dsconsole` and `dsconsole connect`).
struct ConsoleOptions: ParsableArguments {
    /// `--theme`.
    @Option(help: ArgumentHelp(
        "Colour theme: dark (default), light, monochrome, or a theme file (see docs/console.md).",
        valueName: "NAME|FILE"))
    var theme: String?

    /// `--providers`.
    @Option(help: ArgumentHelp(
        "Providers file for the console's own mock providers (default: the built-in set, see Examples/providers.json).",
        valueName: "FILE"))
    var providers: String?

    /// `--call-log-capacity`.
    @Option(help: "Calls kept in the call log (oldest evicted first).")
    var callLogCapacity: Int = CallLog.defaultCapacity

    /// `--history`.
    @Option(help: ArgumentHelp(
        "Composer history file (default: $XDG_STATE_HOME/dsconsole/history.json or ~/.local/state/dsconsole/history.json).",
        valueName: "FILE"))
    var history: String?

    /// `--log-file`.
    @Option(help: ArgumentHelp(
        "Where engine and broker logs go (default: console.log next to the history); never the screen.",
        valueName: "FILE"))
    var logFile: String?

    /// `--mouse`.
    @Flag(help: "Click to focus a pane and select a row, wheel to scroll (the terminal's text selection then needs Shift).")
    var mouse = false

    /// `--log-level`.
    @Option(help: "Log level for the log file: trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "notice"

    /// Rejects impossible values before anything starts.
    /// `--max-message-size`: the engine's client-side limit (see ``ConnectionOptions``).
    @Option(
        name: .customLong("max-message-size"),
        help: ArgumentHelp("Refuse to send a request larger than BYTES (default 1048576).", valueName: "BYTES"))
    var maxMessageSize: Int = ClientOptions().maxMessageSize

    func validate() throws {
        try ConnectionOptions.validateMaxMessageSize(maxMessageSize)
        guard callLogCapacity >= 1 && callLogCapacity <= 10_000_000 else {
            throw ValidationError("--call-log-capacity must be from 1 to 10000000")
        }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
    }
}
