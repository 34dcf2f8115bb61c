import ArgumentParser
import DeepstreamProtocol
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `dsconsole connect URL`: the console on an existing deepstream server.
struct ConnectCommand: AsyncParsableCommand {
    /// Command-line metadata.
    static let configuration = CommandConfiguration(
        commandName: "connect",
        abstract: "Open the console on an existing deepstream server.",
        discussion: """
            Shows the console's own calls and the calls to its providers (a remote server's other traffic \
            is not visible). On a shared server the console provides nothing until asked: --provide at \
            start, or Space on a provider in the Providers pane. With --user the password comes from \
            $DSCONSOLE_PASSWORD or is asked for without echo.
            """
    )

    /// The server.
    @Argument(help: "Server URL: host:port, ws://… or wss://… (path defaults to /deepstream).")
    var url: String

    /// `--user`.
    @Option(help: ArgumentHelp("Log in as NAME.", valueName: "NAME"))
    var user: String?

    /// `--auth-json`.
    @Option(name: .customLong("auth-json"), help: ArgumentHelp("Log in with this JSON object as auth data.", valueName: "JSON"))
    var authJSON: String?

    /// `--provide`.
    @Option(help: ArgumentHelp(
        "Provide these of the console's mock providers on the server at start: all, or NAME[,NAME…] (default: none).",
        valueName: "all|NAMES"))
    var provide: String?

    /// The shared console options.
    @OptionGroup var options: ConsoleOptions

    func validate() throws {
        if user != nil, authJSON != nil { throw ValidationError("give either --user or --auth-json, not both") }
    }

    func run() async throws {
        try ConsoleLauncher.checkTerminal()
        let authData = try Self.authData(user: user, authJSON: authJSON)
        let selection: ConsoleLauncher.ProvideSelection = switch provide {
        case nil: .none
        case "all"?: .all
        case let names?: .named(Set(names.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }))
        }
        try await ConsoleLauncher.run(.remote(url: url, user: user, authData: authData, provide: selection), options: options)
    }

    /// The login's auth data: `--auth-json`'s object, or `--user` with its password, or none.
    /// Shared with `open --url`.
    static func authData(user: String?, authJSON: String?) throws -> JSONValue {
        if let authJSON {
            guard case .object? = try? JSONValue(parsing: authJSON) else {
                throw ConsoleLauncher.fail("--auth-json must be a JSON object, e.g. '{\"token\": \"…\"}'")
            }
            return (try? JSONValue(parsing: authJSON)) ?? [:]
        } else if let user {
            return ["username": .string(user), "password": .string(try password(for: user))]
        }
        return [:]
    }

    /// `$DSCONSOLE_PASSWORD`, or asked on the terminal without echo.
    private static func password(for user: String) throws -> String {
        if let value = ProcessInfo.processInfo.environment["DSCONSOLE_PASSWORD"] { return value }
        guard let entered = getpass("Password for \(user): ") else {
            throw ConsoleLauncher.fail("could not read a password; set DSCONSOLE_PASSWORD")
        }
        return String(cString: entered)
    }
}
