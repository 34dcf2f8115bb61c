import ArgumentParser

/// The `dsconsole` command: the console by default, plus headless subcommands.
@main
struct DSConsole: AsyncParsableCommand {
    /// Command-line metadata and the list of subcommands.
    static let configuration = CommandConfiguration(
        commandName: "dsconsole",
        abstract: "A terminal console for deepstream.io RPCs.",
        version: "dsconsole \(DSConsoleVersion.current)",
        subcommands: [
            LocalConsoleCommand.self, ConnectCommand.self, ProxyCommand.self, ClusterCommand.self, ServeCommand.self,
            CallCommand.self, ProvideCommand.self, WatchCommand.self, RecordCommand.self, ReplayCommand.self, OpenCommand.self, BenchCommand.self,
            HashCommand.self,
        ],
        defaultSubcommand: LocalConsoleCommand.self
    )
}
