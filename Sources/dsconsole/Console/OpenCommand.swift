import ArgumentParser
import ConsoleCore
import ConsoleTerminal
import DeepstreamClient

/// `dsconsole open FILE`: the console offline on a recording.
struct OpenCommand: AsyncParsableCommand {
    /// Command-line metadata.
    static let configuration = CommandConfiguration(
        commandName: "open",
        abstract: "Show a recording in the console, offline.",
        discussion: """
            Shows the calls of a recording (dsconsole record, or w in the console) in the Calls pane, with \
            the detail view, the filter and the Stats view; nothing connects anywhere. Lines that cannot \
            be read are skipped and counted on the status line. The call log's capacity \
            (--call-log-capacity) bounds how many calls are kept: the oldest are evicted, as in a live \
            session. See docs/recording.md.
            """)

    /// The recording.
    @Argument(help: ArgumentHelp("The recording to show.", valueName: "FILE")) var file: String

    /// The shared console options.
    @OptionGroup var options: ConsoleOptions

    /// Rejects options that need a server.
    func validate() throws {
        if options.providersFromRecording != nil {
            throw ValidationError("--providers-from-recording: open is offline, there is nothing to provide on")
        }
    }

    func run() async throws {
        try await ConsoleLauncher.runOffline(file: file, options: options)
    }
}
