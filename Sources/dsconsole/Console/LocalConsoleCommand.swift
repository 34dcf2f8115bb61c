import ArgumentParser

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
    @Option(help: "Address the embedded broker binds.")
    var host = "127.0.0.1"

    /// `--port`.
    @Option(help: "Port the embedded broker listens on (0 picks a free port).")
    var port = 6020

    /// The shared console options.
    @OptionGroup var options: ConsoleOptions

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be from 0 to 65535") }
    }

    func run() async throws {
        try await ConsoleLauncher.run(.embedded(host: host, port: port), options: options)
    }
}
