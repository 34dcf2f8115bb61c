import ArgumentParser
import ConsoleCore
import ConsoleTerminal
import DeepstreamClient

/// `dsconsole open FILE`: the console offline on a recording.
struct OpenCommand: AsyncParsableCommand {
    /// Command-line metadata.
    static let configuration = CommandConfiguration(
        commandName: "open",
        abstract: "Show a recording in the console, offline or with a server to resend its calls to.",
        discussion: """
            Shows the calls of a recording (dsconsole record, or w in the console) in the Calls pane, with \
            the detail view, the filter and the Stats view; nothing connects anywhere. Lines that cannot \
            be read are skipped and counted on the status line. The call log's capacity \
            (--call-log-capacity) bounds how many calls are kept: the oldest are evicted, as in a live \
            session. With --url the console also connects to that server (as connect does: --user takes \
            the password from $DSCONSOLE_PASSWORD or asks for it): the composer, r and e on a recorded \
            call send there and the answers appear as live rows. See docs/recording.md.
            """)

    /// The recording.
    @Argument(help: ArgumentHelp("The recording to show.", valueName: "FILE")) var file: String

    /// `--url`: the server the recorded calls are resent to (none: offline).
    @Option(help: ArgumentHelp(
        "Also connect to this server: r/e on a recorded call and the composer send there. host:port, ws://… or wss://….",
        valueName: "URL"))
    var url: String?

    /// `--user`.
    @Option(help: ArgumentHelp("With --url: log in as NAME.", valueName: "NAME"))
    var user: String?

    /// `--auth-json`.
    @Option(name: .customLong("auth-json"), help: ArgumentHelp("With --url: log in with this JSON object as auth data.", valueName: "JSON"))
    var authJSON: String?

    /// The shared console options.
    @OptionGroup var options: ConsoleOptions

    /// Rejects options that need a server.
    func validate() throws {
        if options.providersFromRecording != nil {
            throw ValidationError("--providers-from-recording: open provides nothing (it shows a recording)")
        }
        if url == nil, user != nil || authJSON != nil {
            throw ValidationError("--user and --auth-json need --url (open is offline without it)")
        }
        if user != nil, authJSON != nil { throw ValidationError("give either --user or --auth-json, not both") }
    }

    func run() async throws {
        var server: ConsoleLauncher.RecordingServer?
        if let url {
            try ConsoleLauncher.checkTerminal()
            server = .init(url: url, user: user, authData: try ConnectCommand.authData(user: user, authJSON: authJSON))
        }
        try await ConsoleLauncher.runOffline(file: file, options: options, server: server)
    }
}
