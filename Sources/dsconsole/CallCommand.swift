import ArgumentParser
import DeepstreamClient
import DeepstreamProtocol

/// `dsconsole call NAME [JSON | -]`: one RPC; the result as JSON on stdout.
struct CallCommand: AsyncParsableCommand {
    /// Command-line metadata.
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract: "Make one RPC and print its result as JSON.",
        discussion: """
            Without JSON the request has no payload; '-' reads the JSON from stdin. The result goes to \
            stdout (nothing when the provider sent no data). On failure stderr gets the deepstream error \
            name (NO_RPC_PROVIDER, …) or, for REQUEST_ERROR, the provider's error value as JSON. Exit codes: \
            see docs/commands.md.
            """)

    /// The RPC name.
    @Argument(help: "The RPC name.")
    var name: String

    /// The request data.
    @Argument(help: ArgumentHelp("The request data as JSON, or '-' to read it from stdin.", valueName: "JSON"))
    var data: String?

    /// Client-side deadline.
    @Option(help: ArgumentHelp("Seconds to wait for the answer (a client-side deadline).", valueName: "S"))
    var timeout: Double = 30

    /// Indent the output.
    @Flag(help: "Indent the result.")
    var pretty = false

    @OptionGroup var connection: ConnectionOptions

    /// Rejects bad values before connecting.
    func validate() throws {
        guard !name.isEmpty else { throw ValidationError("the RPC name must not be empty") }
        guard timeout > 0, timeout.isFinite else { throw ValidationError("--timeout must be positive") }
    }

    /// Runs the call.
    func run() async throws {
        do throws(CommandFailure) {
            let payload = try Self.parseData(data)
            let engine = try await connection.connect()
            let result: Result<JSONValue?, RPCError>
            do throws(RPCError) {
                result = .success(try await engine.make(name, data: payload, timeout: .milliseconds(Int64(timeout * 1000))))
            } catch {
                result = .failure(error)
            }
            await engine.close()
            switch result {
            case .success(let value):
                if let value { StandardStreams.printLine(pretty ? value.prettyText : value.jsonText) }
            case .failure(let error):
                throw CommandFailure(ExitStatus.forCall(error), Self.errorLine(error))
            }
        } catch {
            let failure = error
            StandardStreams.printError(failure.message)
            throw ExitCode(failure.status.rawValue)
        }
    }

    /// Parses the request data argument: `nil` = no payload, `-` = stdin.
    static func parseData(_ argument: String?) throws(CommandFailure) -> JSONValue? {
        guard let argument else { return nil }
        let text = argument == "-" ? StandardStreams.readStandardInput() : argument
        do { return try JSONValue(parsing: text) } catch {
            let source = argument == "-" ? "stdin" : "the request data"
            throw CommandFailure(.dataError, "dsconsole: \(source) is not valid JSON: \(error.description)")
        }
    }

    /// What stderr gets for a failed call: the provider's error value for REQUEST_ERROR, otherwise the
    /// deepstream error name (with detail where the client adds some).
    static func errorLine(_ error: RPCError) -> String {
        switch error {
        case .requestError(let value): value?.jsonText ?? "REQUEST_ERROR"
        default: error.description
        }
    }
}
