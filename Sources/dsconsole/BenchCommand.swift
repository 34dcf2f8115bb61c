import ArgumentParser
import DeepstreamClient
import DeepstreamProtocol
import Synchronization

/// `dsconsole bench`: a load generator with its own echo providers, HdrHistogram latencies and a
/// final report.
struct BenchCommand: AsyncParsableCommand {
    /// Command-line metadata.
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Load-test RPCs: requestors × in-flight calls against echo providers.",
        discussion: """
            Each requestor is its own connection keeping --inflight calls in flight (closed loop), or \
            starting calls at --rate per second in total (open loop; a call that would exceed \
            --inflight is skipped and counted). Unless --no-providers, the bench provides NAME itself \
            on --providers connections that echo the payload. A progress line goes to stderr every \
            second; the report goes to stdout (--json for machines).
            """)

    @Option(help: "Requestor connections.") var requestors = 1
    @Option(help: "Echo provider connections (ignored with --no-providers).") var providers = 1
    @Option(help: "Calls in flight per requestor.") var inflight = 8
    @Option(help: ArgumentHelp("Total calls per second (open loop); default: as fast as possible.", valueName: "RPS"))
    var rate: Double?
    @Option(help: ArgumentHelp("Seconds to run.", valueName: "S")) var duration: Double = 5
    @Option(help: ArgumentHelp("Request payload size in bytes (a JSON string of that length).", valueName: "BYTES"))
    var payload = 64
    @Option(help: "The RPC name to call.") var name = "dsconsole.bench"
    @Flag(name: .customLong("no-providers"), help: "Do not provide NAME; use providers that are already there.")
    var noProviders = false
    @Option(name: .customLong("call-timeout"), help: ArgumentHelp("Client-side deadline per call.", valueName: "S"))
    var callTimeout: Double = 10
    @Flag(help: "Print the report as one JSON object.") var json = false

    @OptionGroup var connection: ConnectionOptions

    /// Rejects impossible settings.
    func validate() throws {
        guard (1...1000).contains(requestors) else { throw ValidationError("--requestors must be within 1…1000") }
        guard (0...1000).contains(providers) else { throw ValidationError("--providers must be within 0…1000") }
        guard (1...100_000).contains(inflight) else { throw ValidationError("--inflight must be within 1…100000") }
        if let rate { guard rate > 0, rate.isFinite else { throw ValidationError("--rate must be positive") } }
        guard duration > 0, duration.isFinite else { throw ValidationError("--duration must be positive") }
        guard (2...16_000_000).contains(payload) else { throw ValidationError("--payload must be within 2…16000000 bytes") }
        guard callTimeout > 0, callTimeout.isFinite else { throw ValidationError("--call-timeout must be positive") }
        guard !name.isEmpty else { throw ValidationError("--name must not be empty") }
    }

    /// Runs the bench.
    func run() async throws {
        OutputClosureWatcher.start(.immediately)
        do {
            try await bench()
        } catch {
            let failure = error
            StandardStreams.printError(failure.message)
            throw ExitCode(failure.status.rawValue)
        }
    }

    private func bench() async throws(CommandFailure) {
        // The payload's JSON text is exactly `payload` bytes: two quotes and the letters.
        let data = JSONValue.string(String(repeating: "x", count: payload - 2))
        var providerEngines: [ClientEngine] = []
        var requestorEngines: [ClientEngine] = []
        if !noProviders {
            for _ in 0..<providers {
                let engine = try await connection.connect()
                providerEngines.append(engine)
                try await Self.provideEcho(name, on: engine, timeout: connection.connectTimeout)
            }
        }
        for _ in 0..<requestors { requestorEngines.append(try await connection.connect()) }

        let recorder = Locked(BenchStatistics())
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start + .milliseconds(Int64(duration * 1000))
        let timeout = Duration.milliseconds(Int64(callTimeout * 1000))
        let progress = Task {
            let terminal = StandardStreams.stderrIsTerminal
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                if Task.isCancelled { break }
                let line = recorder.value.progressLine(elapsed: start.duration(to: clock.now))
                StandardStreams.writeError(terminal ? "\r\u{1B}[K" + line : line + "\n")
            }
            if terminal { StandardStreams.writeError("\r\u{1B}[K") }
        }
        let perRequestorInterval = rate.map { Duration.nanoseconds(Int64(1e9 * Double(requestors) / $0)) }
        await withTaskGroup(of: Void.self) { group in
            for engine in requestorEngines {
                if let interval = perRequestorInterval {
                    group.addTask {
                        await Self.openLoop(
                            engine: engine, name: name, data: data, interval: interval, inflight: inflight,
                            until: deadline, timeout: timeout, clock: clock, recorder: recorder)
                    }
                } else {
                    for _ in 0..<inflight {
                        group.addTask {
                            await Self.closedLoop(
                                engine: engine, name: name, data: data, until: deadline, timeout: timeout, clock: clock,
                                recorder: recorder)
                        }
                    }
                }
            }
        }
        let elapsed = start.duration(to: clock.now)
        progress.cancel()
        await progress.value
        for engine in providerEngines + requestorEngines { await engine.close() }
        let statistics = recorder.value
        if json {
            StandardStreams.printLine(statistics.report(settings: settings(), elapsed: elapsed).jsonText)
        } else {
            let header = "bench \(name): \(requestors) requestor\(requestors == 1 ? "" : "s") × \(inflight) in flight"
                + (rate.map { ", \(BenchStatistics.format($0, 1)) calls/s" } ?? "")
                + ", \(noProviders ? "external providers" : "\(providers) echo provider\(providers == 1 ? "" : "s")")"
                + ", payload \(payload) B, \(BenchStatistics.format(duration, 1)) s on \(connection.url)"
            StandardStreams.printLine(statistics.reportText(header: header, elapsed: elapsed))
        }
        if statistics.succeeded == 0 {
            throw CommandFailure(.callFailed, "dsconsole: no call succeeded")
        }
    }

    private func settings() -> JSONObject {
        JSONObject([
            ("url", .string(connection.url)), ("name", .string(name)), ("requestors", .int(requestors)),
            ("providers", noProviders ? .null : .int(providers)), ("inflight", .int(inflight)),
            ("rate", rate.map(JSONValue.double) ?? .null), ("durationSeconds", .double(duration)),
            ("payloadBytes", .int(payload)),
        ])
    }

    /// Provides `name` as an echo on `engine` and waits for the server's acknowledgement.
    static func provideEcho(_ name: String, on engine: ClientEngine, timeout seconds: Double) async throws(CommandFailure) {
        let events = engine.events(bufferingNewest: 256)
        do {
            try await engine.provide(name) { data, response, _ in response.send(data) }
        } catch {
            throw CommandFailure(.usage, "dsconsole: \(error.description)")
        }
        let outcome: CommandFailure?? = await withTaskGroup(of: CommandFailure??.self) { group in
            group.addTask {
                for await event in events {
                    switch event {
                    case .providerAcknowledged(name, true, _): return .some(nil)
                    case .providerRefused(name, let reason, _):
                        return .some(CommandFailure(.denied, "dsconsole: the server refused to let us provide \(name): \(reason.name)"))
                    default: continue
                    }
                }
                return nil
            }
            group.addTask {
                try? await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        switch outcome {
        case .some(nil): return
        case .some(let failure?): throw failure
        case nil: throw CommandFailure(.unavailable, "dsconsole: no PROVIDE acknowledgement for \(name) within \(seconds) s")
        }
    }

    /// One in-flight slot: calls back to back until the deadline.
    static func closedLoop(
        engine: ClientEngine, name: String, data: JSONValue, until deadline: ContinuousClock.Instant, timeout: Duration,
        clock: ContinuousClock, recorder: Locked<BenchStatistics>
    ) async {
        while clock.now < deadline {
            if await !call(engine: engine, name: name, data: data, timeout: timeout, clock: clock, recorder: recorder) {
                return
            }
        }
    }

    /// Starts a call every `interval` until the deadline, skipping when `inflight` calls are waiting.
    static func openLoop(
        engine: ClientEngine, name: String, data: JSONValue, interval: Duration, inflight: Int,
        until deadline: ContinuousClock.Instant, timeout: Duration, clock: ContinuousClock, recorder: Locked<BenchStatistics>
    ) async {
        let running = Locked(0)
        // Discarding: a plain task group keeps every finished child until the group ends, so a long
        // run piled up millions of them and freed them all at the deadline, which held both
        // cooperative threads for about a second; the echo providers in this process could not
        // answer the calls still in flight, and the broker ended them with ACCEPT_TIMEOUT (the 2 in
        // the 10-minute soak; issue 9).
        await withDiscardingTaskGroup { group in
            var next = clock.now
            while next < deadline {
                try? await Task.sleep(until: next, clock: clock)
                next += interval
                let admitted = running.withLock { count in
                    guard count < inflight else { return false }
                    count += 1
                    return true
                }
                guard admitted else {
                    recorder.withLock { $0.recordSkipped() }
                    continue
                }
                group.addTask {
                    _ = await call(engine: engine, name: name, data: data, timeout: timeout, clock: clock, recorder: recorder)
                    running.withLock { $0 -= 1 }
                }
            }
        }
    }

    /// Makes one call and records it; `false` when the engine's connection is gone for good.
    static func call(
        engine: ClientEngine, name: String, data: JSONValue, timeout: Duration, clock: ContinuousClock,
        recorder: Locked<BenchStatistics>
    ) async -> Bool {
        let started = clock.now
        do {
            let result = try await engine.make(name, data: data, timeout: timeout)
            let latency = started.duration(to: clock.now)
            recorder.withLock { result == data ? $0.recordSuccess(latency: latency) : $0.recordFailure(kind: "mismatch") }
        } catch {
            recorder.withLock { $0.recordFailure(kind: error.name) }
            if error == .clientOffline, await engine.state == .closed { return false }
        }
        return true
    }
}
