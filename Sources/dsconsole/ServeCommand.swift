import ArgumentParser
import DeepstreamBroker
import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `dsconsole serve`: runs the embedded broker headless until SIGINT/SIGTERM.
struct ServeCommand: AsyncParsableCommand {
    /// Command-line metadata.
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the embedded deepstream-compatible RPC broker.",
        discussion: """
            Serves ws://HOST:PORT/deepstream (binary), /deepstream-json (JSON) and GET /health-check. \
            --config takes deepstream 10's own conf/config.yml (with its users.yml and permissions.yml \
            through fileLoad) or our JSON format.
            SIGINT or SIGTERM shut it down gracefully: in-flight calls get up to shutdownGracePeriod to \
            finish, the rest are answered RESPONSE_TIMEOUT; a second signal exits at once. See \
            docs/broker.md for the config file format.
            """
    )

    @Option(help: "Address to bind (default 127.0.0.1, or the config file's host).")
    var host: String?

    @Option(help: "Port to listen on (default 6020, or the config file's port; 0 picks a free port).")
    var port: Int?

    @Option(
        name: .customLong("config"),
        help: ArgumentHelp("deepstream's config.yml or a JSON configuration file (docs/broker.md).", valueName: "FILE"))
    var configFile: String?

    @Option(name: .customLong("rules"), help: ArgumentHelp(RulesFileOption.help, valueName: "FILE"))
    var rulesFile: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    /// `--busy-poll`: see ``BusyPollOption`` (50 µs by default here).
    @OptionGroup var busyPoll: BusyPollOption

    /// `--coalesce-reads`: see ``CoalesceReadsOption`` (off by default here: `serve` favours latency;
    /// asking for it turns the default busy-poll off).
    @OptionGroup var coalesceReads: CoalesceReadsOption

    /// What the loop does between reads: latency first, so busy-poll 50 µs unless told otherwise (and
    /// not when a nap was asked for instead), read coalescing only when asked. A pacer nobody asked for
    /// that cannot be set up is a warning, not a failure to start.
    static func applyPacing(
        busyPoll: BusyPollOption, coalesceReads: CoalesceReadsOption, to configuration: inout BrokerConfiguration
    ) {
        configuration.busyPollWindow = busyPoll.window(
            defaultMicroseconds: coalesceReads.isOnExplicitly ? 0 : BusyPollOption.serveDefaultMicroseconds)
        configuration.readCoalescingNap = coalesceReads.nap(defaultMicroseconds: 0, busyPoll: busyPoll)
        configuration.pacingRequired = coalesceReads.isPacingRequired(
            napIsOn: configuration.readCoalescingNap > .zero, busyPoll: busyPoll)
    }

    func validate() throws {
        try coalesceReads.validate(against: busyPoll)
        if let port, !(0...65535).contains(port) { throw ValidationError("--port must be from 0 to 65535") }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
    }

    func run() async throws {
        var configuration = BrokerConfiguration()
        if let configFile {
            do throws(BrokerConfigurationError) {
                configuration = try BrokerConfiguration.load(fromFile: configFile)
            } catch {
                throw Self.fail(error.description)
            }
            if let warning = configuration.ignoredSettingsWarning {
                StandardStreams.printError("dsconsole serve: \(configFile): \(warning)")
            }
        }
        if let host { configuration.host = host }
        if let port { configuration.port = port }
        Self.applyPacing(busyPoll: busyPoll, coalesceReads: coalesceReads, to: &configuration)
        if let rulesFile {
            do throws(CommandFailure) { configuration.steering = try RulesFileOption.load(rulesFile) } catch {
                throw Self.fail(String(error.message.dropFirst("dsconsole: ".count)))
            }
        }

        var logger = Logger(label: "dsconsole.broker", factory: { label in StreamLogHandler.standardError(label: label) })
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        let broker = Broker(configuration: configuration, logger: logger)
        let address: String
        do throws(BrokerStartError) {
            let bound = try await broker.start()
            address = "\(configuration.host):\(bound.port ?? configuration.port)"
        } catch {
            await broker.shutdown()
            throw Self.fail(error.description)
        }
        // Signal handling is in place before the URL is printed, so whoever waits for that line may
        // send SIGINT/SIGTERM at once (ServiceLifecycle registers its handlers asynchronously, and a
        // signal in that window killed the process under load).
        let (signals, continuation) = AsyncStream.makeStream(of: Int32.self, bufferingPolicy: .bufferingNewest(4))
        let sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
        let binary = configuration.webSocketPath(for: .binary).map { "ws://\(address)\($0)" } ?? "(no ws-binary endpoint)"
        let json = configuration.webSocketPath(for: .json).map { "ws://\(address)\($0)" } ?? "none"
        Self.say("dsconsole broker listening on \(binary) (JSON: \(json), health: http://\(address)\(configuration.healthCheckPath))")

        var stopping = false
        for await number in signals {
            if stopping {
                StandardStreams.printError("dsconsole serve: second signal \(number), exiting now")
                Foundation.exit(130)
            }
            stopping = true
            logger.info("signal \(number): shutting down gracefully (send it again to stop at once)")
            Task {
                await broker.shutdown()
                continuation.finish()
            }
        }
        for source in sources { source.cancel() }
        Self.say("dsconsole broker stopped")
    }

    /// Writes one line to standard output right away (stdout may be a pipe).
    static func say(_ line: String) {
        StandardStreams.printLine(line)
    }

    /// Writes `dsconsole serve: message` to standard error and returns the failing exit code.
    static func fail(_ message: String) -> ExitCode {
        StandardStreams.printError("dsconsole serve: \(message)")
        return .failure
    }
}
