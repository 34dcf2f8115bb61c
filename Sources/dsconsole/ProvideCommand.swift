import ArgumentParser
import CallRecording
import DeepstreamClient
import DeepstreamProtocol
import MockProviders
import Synchronization

/// `dsconsole provide NAME…`: a headless mock provider until Ctrl-C, one line per served call.
struct ProvideCommand: AsyncParsableCommand {
    /// Command-line metadata.
    static let configuration = CommandConfiguration(
        commandName: "provide",
        abstract: "Provide RPCs with mock behaviours until Ctrl-C.",
        discussion: """
            Every NAME gets the same behaviour (default --echo). With --file, the providers come from a \
            providers file (docs/providers.md); NAMEs then pick a subset. With --from-recording, every \
            request is answered with the recorded answer to the same name and equal data (--match name: \
            the same name only) after the recorded latency divided by --speed; unmatched requests get \
            REQUEST_ERROR {"notRecorded": …} (docs/recording.md). One line per served call goes to \
            stdout; status lines go to stderr.
            """)

    /// The RPC names.
    @Argument(help: "RPC names to provide (with --file: a subset of the file's names).")
    var names: [String] = []

    /// Reply kinds.
    @Flag(help: "Respond with the request data (the default).") var echo = false
    @Option(help: ArgumentHelp("Respond with this JSON value.", valueName: "JSON")) var reply: String?
    @Option(help: ArgumentHelp("Respond with this template file rendered per request (docs/providers.md).", valueName: "FILE"))
    var template: String?
    @Option(help: ArgumentHelp("Answer REQUEST_ERROR with this JSON value.", valueName: "JSON")) var error: String?
    @Flag(help: "Reject every request.") var reject = false
    @Flag(name: .customLong("never-accept"), help: "Never accept (the requestor gets ACCEPT_TIMEOUT).") var neverAccept = false
    @Flag(name: .customLong("never-respond"), help: "Accept, then never respond (RESPONSE_TIMEOUT).") var neverRespond = false

    /// Modifiers.
    @Option(help: ArgumentHelp("Delay before the answer: MS or MS..MS.", valueName: "MS[..MS]")) var delay: String?
    @Option(name: .customLong("reject-rate"), help: ArgumentHelp("Probability 0…1 of rejecting a request.", valueName: "P"))
    var rejectRate: Double?
    @Option(name: .customLong("error-rate"), help: ArgumentHelp("Probability 0…1 of answering REQUEST_ERROR.", valueName: "P"))
    var errorRate: Double?

    /// A providers file.
    @Option(help: ArgumentHelp("Take the providers from this providers file.", valueName: "FILE")) var file: String?

    /// A recording to answer from.
    @Option(name: .customLong("from-recording"), help: ArgumentHelp("Answer with the recorded answers of this recording.", valueName: "FILE"))
    var fromRecording: String?
    /// How a request finds its recorded answer.
    @Option(help: ArgumentHelp("With --from-recording: match recorded calls by name and equal data (default) or by name only.", valueName: "data|name"))
    var match: String?
    /// Recorded latency divisor.
    @Option(help: ArgumentHelp("With --from-recording: divide the recorded latencies by S (max: answer at once).", valueName: "S"))
    var speed: String?

    @OptionGroup var connection: ConnectionOptions

    private var replyKindCount: Int {
        [echo, reply != nil, template != nil, error != nil, reject, neverAccept, neverRespond].filter { $0 }.count
    }

    /// Rejects contradictory options before anything runs.
    func validate() throws {
        if replyKindCount > 1 {
            throw ValidationError("give at most one of --echo, --reply, --template, --error, --reject, --never-accept, --never-respond")
        }
        if file != nil, replyKindCount > 0 || delay != nil || rejectRate != nil || errorRate != nil {
            throw ValidationError("--file defines the behaviours: leave out the reply and rate options")
        }
        if fromRecording != nil {
            if file != nil || replyKindCount > 0 || delay != nil || rejectRate != nil || errorRate != nil {
                throw ValidationError("--from-recording defines the answers: leave out --file and the reply and rate options")
            }
            if let match, RecordedResponses.Match(rawValue: match) == nil { throw ValidationError("--match must be data or name") }
            if let speed, speed != "max", !((Double(speed) ?? 0) > 0) { throw ValidationError("--speed must be a positive number or max") }
        } else if match != nil || speed != nil {
            throw ValidationError("--match and --speed go with --from-recording")
        }
        if file == nil, fromRecording == nil, names.isEmpty { throw ValidationError("give at least one RPC name (or --file or --from-recording)") }
        if names.contains("") { throw ValidationError("an RPC name must not be empty") }
        for (flag, rate) in [("--reject-rate", rejectRate), ("--error-rate", errorRate)] {
            if let rate, !ProviderBehaviour.isValidRate(rate) { throw ValidationError("\(flag) must be within 0…1, got \(rate)") }
        }
        if let delay {
            do { _ = try ProviderDelay(parsing: delay) } catch { throw ValidationError("--delay: \(error.message)") }
        }
    }

    /// Runs the providers until SIGINT/SIGTERM or until the connection is lost.
    func run() async throws {
        do {
            TerminationSignal.install()
            OutputClosureWatcher.start(.gracefully)
            let providers: [ServedProvider]
            if let fromRecording {
                providers = try recordedProviders(fromRecording)
            } else {
                providers = try self.definitions().map(ServedProvider.mock)
            }
            let engine = try await connection.connect()
            try await serve(providers, on: engine)
        } catch {
            let failure = error
            StandardStreams.printError(failure.message)
            throw ExitCode(failure.status.rawValue)
        }
    }

    /// The providers to run, from the file or from the options.
    func definitions() throws(CommandFailure) -> [ProviderDefinition] {
        if let file {
            let text = try StandardStreams.readFile(file, what: "providers file")
            let parsed: ProvidersFile
            do { parsed = try ProvidersFile(parsing: text, file: file) } catch {
                throw CommandFailure(.dataError, "dsconsole: \(error.description)")
            }
            if names.isEmpty { return parsed.providers }
            return try names.map { (name) throws(CommandFailure) in
                guard let definition = parsed.provider(named: name) else {
                    throw CommandFailure(.dataError, "dsconsole: \(file): no provider named \"\(name)\"")
                }
                return definition
            }
        }
        let behaviour = try self.behaviour()
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }.map { ProviderDefinition(name: $0, behaviour: behaviour) }
    }

    /// The behaviour the options describe.
    func behaviour() throws(CommandFailure) -> ProviderBehaviour {
        let kind: ProviderBehaviour.Reply
        if let reply {
            kind = .fixed(try Self.json(reply, option: "--reply"))
        } else if let template {
            let text = try StandardStreams.readFile(template, what: "template file")
            let value: JSONValue
            do { value = try JSONValue(parsing: text) } catch {
                throw CommandFailure(.dataError, "dsconsole: \(template): invalid JSON: \(error.description)")
            }
            do { kind = .template(try Template(value)) } catch {
                throw CommandFailure(.dataError, "dsconsole: \(template): template: \(error.description)")
            }
        } else if let error {
            kind = .error(try Self.json(error, option: "--error"))
        } else if reject {
            kind = .reject
        } else if neverAccept {
            kind = .neverAccept
        } else if neverRespond {
            kind = .neverRespond
        } else {
            kind = .echo
        }
        return ProviderBehaviour(
            reply: kind, delay: delay.flatMap { try? ProviderDelay(parsing: $0) }, rejectRate: rejectRate ?? 0,
            errorRate: errorRate ?? 0)
    }

    private static func json(_ text: String, option: String) throws(CommandFailure) -> JSONValue {
        do { return try JSONValue(parsing: text) } catch {
            throw CommandFailure(.dataError, "dsconsole: \(option) is not valid JSON: \(error.description)")
        }
    }

    /// The providers answering from the recording at `path`.
    private func recordedProviders(_ path: String) throws(CommandFailure) -> [ServedProvider] {
        let match = match.flatMap(RecordedResponses.Match.init(rawValue:)) ?? .data
        let divisor = speed == "max" ? 0 : Double(speed ?? "1") ?? 1
        let loaded = try RecordingProviderHost.load(path, names: names, match: match, speed: divisor)
        // Bad lines are skipped: the answers that can be read are still useful.
        for note in loaded.notes { StandardStreams.printError("dsconsole: \(note)") }
        return loaded.providers
    }

    /// Provides every name on `engine`, waits for the server's acknowledgements, then serves until a
    /// termination signal or the loss of the connection.
    private func serve(_ definitions: [ServedProvider], on engine: ClientEngine) async throws(CommandFailure) {
        let events = engine.events(bufferingNewest: 4096)
        let log = ServedCallLog()
        for definition in definitions {
            do {
                try await definition.register(engine) { request, plan in log.record(request, plan: plan, at: ClientEngine.wallClock()) }
            } catch {
                throw CommandFailure(.usage, "dsconsole: \(error.description)")
            }
        }
        let url = engine.url.description
        let ended = await withTaskGroup(of: CommandFailure?.self) { group in
            group.addTask {
                var pending = Set(definitions.map(\.name))
                var announced = false
                for await event in events {
                    switch event {
                    case .providerAcknowledged(let name, true, _):
                        pending.remove(name)
                        if pending.isEmpty, !announced {
                            announced = true
                            let list = definitions.map { "\($0.name) (\($0.summary))" }.joined(separator: ", ")
                            StandardStreams.printError("dsconsole: providing \(list) on \(url); Ctrl-C to stop")
                        }
                    case .providerRefused(let name, let reason, _):
                        return CommandFailure(.denied, "dsconsole: the server refused to let us provide \(name): \(reason.name)")
                    case .stateChanged(_, let to, _) where to == .closed || to == .reconnecting:
                        return CommandFailure(.unavailable, "dsconsole: lost the connection to \(url)")
                    default:
                        break
                    }
                }
                return nil
            }
            group.addTask {
                if let signal = await TerminationSignal.wait() {
                    StandardStreams.printError("dsconsole: stopping (signal \(signal))")
                }
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        for definition in definitions { try? await engine.unprovide(definition.name) }
        await engine.close()
        await log.finish()
        StandardStreams.printError("dsconsole: \(log.summary)")
        if let ended { throw ended }
    }
}
