import ArgumentParser
import DeepstreamProtocol
import DeepstreamProxy
import RPCSteering
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `dsconsole proxy UPSTREAM`: the console in front of a real deepstream server, showing every RPC of
/// every application that connects through it.
struct ProxyCommand: AsyncParsableCommand {
    /// Command-line metadata.
    static let configuration = CommandConfiguration(
        commandName: "proxy",
        abstract: "Open the console as a proxy in front of a real deepstream server.",
        discussion: """
            Listens on --listen (default 127.0.0.1:6021) and forwards every connection, byte for byte, to \
            UPSTREAM. Point your applications at ws://LISTEN/deepstream instead of the server: the console \
            shows all their calls, logins and providers. The console's own composer and providers go through \
            the same proxy. With --user the password comes from $DSCONSOLE_PASSWORD or is asked for without \
            echo. Several upstreams (the nodes of a cluster) each get their own listen address: one --listen \
            per upstream in the same order, or by default 127.0.0.1:6021, 6022, …; one console shows the \
            calls of all of them, user names with their node (bob@HOST:PORT). See docs/proxy.md.
            """
    )

    /// The servers behind the proxy (one listener each).
    @Argument(help: "Upstream server(s): host:port, ws://… or wss://… (the path clients ask for is kept).")
    var upstream: [String]

    /// `--listen`, once per upstream.
    @Option(help: ArgumentHelp(
        "Address the proxy listens on (port 0 picks a free one); one per upstream, in order.", valueName: "HOST:PORT"))
    var listen: [String] = []

    /// `--upstream-ca`.
    @Option(name: .customLong("upstream-ca"), help: ArgumentHelp(
        "PEM file of certificates to trust for a wss:// upstream (besides the system's).", valueName: "FILE"))
    var upstreamCA: String?

    /// `--user`.
    @Option(help: ArgumentHelp("The console's own connection logs in as NAME.", valueName: "NAME"))
    var user: String?

    /// `--auth-json`.
    @Option(name: .customLong("auth-json"), help: ArgumentHelp(
        "The console's own connection logs in with this JSON object.", valueName: "JSON"))
    var authJSON: String?

    /// The shared console options.
    /// `--rules`: steering rules applied in the forwarding path (docs/rules.md).
    @Option(name: .customLong("rules"), help: ArgumentHelp(RulesFileOption.help, valueName: "FILE"))
    var rulesFile: String?

    /// `--busy-poll`: see ``BusyPollOption``.
    @OptionGroup var busyPoll: BusyPollOption

    @OptionGroup var options: ConsoleOptions

    func validate() throws {
        if user != nil, authJSON != nil { throw ValidationError("give either --user or --auth-json, not both") }
        if upstream.isEmpty { throw ValidationError("give the upstream server, e.g. ws://10.0.0.5:6020") }
        if !listen.isEmpty, listen.count != upstream.count {
            throw ValidationError("give one --listen per upstream (\(upstream.count) upstreams, \(listen.count) --listen)")
        }
    }

    func run() async throws {
        try ConsoleLauncher.checkTerminal()
        let configurations: [ProxyConfiguration]
        do throws(CommandFailure) {
            configurations = try ProxyOptions.configurations(
                upstreams: upstream, listens: listen, caFile: upstreamCA, rulesFile: rulesFile, busyPoll: busyPoll.window)
        } catch {
            throw ConsoleLauncher.fail(String(error.message.trimmingPrefix("dsconsole: ")))
        }
        let authData: JSONValue
        var shownUser = user
        if let authJSON {
            guard case .object? = try? JSONValue(parsing: authJSON) else {
                throw ConsoleLauncher.fail("--auth-json must be a JSON object, e.g. '{\"token\": \"…\"}'")
            }
            authData = (try? JSONValue(parsing: authJSON)) ?? [:]
        } else if let user {
            let password: String
            if let value = ProcessInfo.processInfo.environment["DSCONSOLE_PASSWORD"] {
                password = value
            } else if let entered = getpass("Password for \(user): ") {
                password = String(cString: entered)
            } else {
                throw ConsoleLauncher.fail("could not read a password; set DSCONSOLE_PASSWORD")
            }
            authData = ["username": .string(user), "password": .string(password)]
        } else {
            // Open authentication takes the username as given: the console's own connection then reads
            // as `console` in routes, as on the embedded broker.
            authData = ["username": "console"]
            shownUser = "console"
        }
        try await ConsoleLauncher.run(.proxied(configurations, user: shownUser, authData: authData), options: options)
    }
}
