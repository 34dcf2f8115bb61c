import ArgumentParser
import CallRecording
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

    /// `--providers-from-recording`.
    @Option(name: .customLong("providers-from-recording"), help: ArgumentHelp(
        "Also provide every RPC name of this recording, answering with the recorded answers (as provide --from-recording).",
        valueName: "FILE"))
    var providersFromRecording: String?

    /// `--recording-match`.
    @Option(name: .customLong("recording-match"), help: ArgumentHelp(
        "With --providers-from-recording: match recorded calls by name and equal data (default) or by name only.",
        valueName: "data|name"))
    var recordingMatch: String?

    /// `--recording-speed`.
    @Option(name: .customLong("recording-speed"), help: ArgumentHelp(
        "With --providers-from-recording: divide the recorded latencies by S (max: answer at once; default 1).",
        valueName: "S"))
    var recordingSpeed: String?

    /// `--call-log-capacity`.
    @Option(help: "Calls kept in the call log (oldest evicted first).")
    var callLogCapacity: Int = CallLog.defaultCapacity

    /// `--payload-memory`.
    @Option(name: .customLong("payload-memory"), help: ArgumentHelp(
        "MiB of request/response payloads the call log keeps (default 64); beyond it the oldest calls' payloads are dropped (the calls stay).",
        valueName: "MIB"))
    var payloadMemory: Int = CallLog.defaultPayloadBudget >> 20

    /// The payload budget in bytes (`--payload-memory` MiB).
    var payloadBudget: Int { payloadMemory << 20 }

    /// The largest `--payload-memory`: 64 GiB.
    static let payloadMemoryLimit = 65_536

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

    /// `--max-message-size`: the engine's client-side limit (see ``ConnectionOptions``).
    @Option(
        name: .customLong("max-message-size"),
        help: ArgumentHelp("Refuse to send a request larger than BYTES (default 1048576).", valueName: "BYTES"))
    var maxMessageSize: Int = ClientOptions().maxMessageSize

    /// How requests find their recorded answers (`--recording-match`, default data).
    var match: RecordedResponses.Match { recordingMatch.flatMap(RecordedResponses.Match.init(rawValue:)) ?? .data }

    /// The recorded-latency divisor (`--recording-speed`; `max` is 0: no delay).
    var speed: Double { recordingSpeed == "max" ? 0 : Double(recordingSpeed ?? "1") ?? 1 }

    /// Rejects impossible values before anything starts.
    func validate() throws {
        try ConnectionOptions.validateMaxMessageSize(maxMessageSize)
        if providersFromRecording == nil, recordingMatch != nil || recordingSpeed != nil {
            throw ValidationError("--recording-match and --recording-speed go with --providers-from-recording")
        }
        if let recordingMatch, RecordedResponses.Match(rawValue: recordingMatch) == nil {
            throw ValidationError("--recording-match must be data or name")
        }
        if let recordingSpeed, recordingSpeed != "max", !((Double(recordingSpeed) ?? 0) > 0) {
            throw ValidationError("--recording-speed must be a positive number or max")
        }
        guard callLogCapacity >= 1 && callLogCapacity <= 10_000_000 else {
            throw ValidationError("--call-log-capacity must be from 1 to 10000000")
        }
        guard payloadMemory >= 0 && payloadMemory <= Self.payloadMemoryLimit else {
            throw ValidationError("--payload-memory must be from 0 to \(Self.payloadMemoryLimit) (MiB)")
        }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
    }
}
