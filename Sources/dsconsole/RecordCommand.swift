import ArgumentParser
import CallRecording
import DeepstreamBroker
import DeepstreamClient
import DeepstreamProtocol
import DeepstreamProxy
import Logging

/// `dsconsole record FILE`: writes every ended call to a JSON Lines recording until Ctrl-C.
struct RecordCommand: AsyncParsableCommand {
    /// Command-line metadata.
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Record RPC calls to a JSON Lines file until Ctrl-C.",
        discussion: """
            With --serve, runs the embedded broker and records every call routed through it. With --proxy \
            UPSTREAM, listens on --listen, forwards every connection to UPSTREAM and records every call that \
            passes. Without either, connects to --url and records the calls its own connection sees. FILE \
            must not exist. The format is in docs/recording.md; credentials are never recorded. Prints \
            {"event":"listening",…} on stdout with --serve or --proxy, and the number of recorded calls on \
            stderr every second.
            """)

    /// The recording to create.
    @Argument(help: ArgumentHelp("The recording file to create (must not exist).", valueName: "FILE")) var file: String
    @OptionGroup var source: ObservedSourceOptions
    /// Seconds between progress lines.
    @Option(help: ArgumentHelp("Seconds between the progress lines on stderr.", valueName: "S")) var interval: Double = 1

    @OptionGroup var connection: ConnectionOptions

    /// Rejects contradictory options.
    func validate() throws {
        guard interval >= 0.05, interval <= 86_400 else { throw ValidationError("--interval must be within 0.05…86400 seconds") }
    }

    /// Runs until SIGINT/SIGTERM (or, with --url, until the connection is lost).
    func run() async throws {
        OutputClosureWatcher.start(.gracefully)
        do {
            if !source.proxy.isEmpty {
                try await recordProxy()
            } else if source.serve {
                try await recordBroker()
            } else {
                try await recordOwnConnection()
            }
        } catch {
            let failure = error
            StandardStreams.printError(failure.message)
            throw ExitCode(failure.status.rawValue)
        }
    }

    private func makeRecorder(source: String) throws(CommandFailure) -> CallRecorder {
        try CallRecorder(path: file, header: RecordingHeader(source: source, startedAt: ClientEngine.wallClock()))
    }

    /// Prints the count on stderr every interval until cancelled.
    private func startProgress(_ recorder: CallRecorder) -> Task<Void, Never> {
        let interval = interval
        return Task {
            while (try? await Task.sleep(for: .milliseconds(Int64(interval * 1000)))) != nil {
                StandardStreams.printError("dsconsole: \(recorder.recordedCalls) calls recorded")
            }
        }
    }

    private func finish(_ recorder: CallRecorder, progress: Task<Void, Never>) async throws(CommandFailure) {
        progress.cancel()
        await progress.value
        var summary = "dsconsole: \(recorder.recordedCalls) calls recorded to \(file)"
        if recorder.openCalls > 0 { summary += " (\(recorder.openCalls) unfinished calls not recorded)" }
        if recorder.evictedCalls > 0 { summary += " (\(recorder.evictedCalls) calls forgotten, too many open)" }
        StandardStreams.printError(summary)
        if let error = recorder.writeError { throw CommandFailure(.unavailable, "dsconsole: cannot write \(file): \(error)") }
    }

    private func recordBroker() async throws(CommandFailure) {
        TerminationSignal.install()
        let started = try await ObservedServer.startBroker(
            configFile: source.config, host: source.host, port: source.port, frames: false,
            busyPoll: source.busyPoll.window)
        let broker = started.broker
        let tap = started.tap
        let recorder: CallRecorder
        do { recorder = try makeRecorder(source: started.url) } catch {
            await broker.shutdown()
            throw error
        }
        StandardStreams.printLine(ObservedServer.listeningLine(
            address: started.address, url: started.url, upstream: nil, extra: [("file", .string(file))]))
        let progress = startProgress(recorder)
        let consumer = Task { for await event in tap { recorder.observe(event) } }
        _ = await TerminationSignal.wait()
        let dropped = broker.droppedTapEvents
        await broker.shutdown(gracePeriod: .milliseconds(200))
        await consumer.value
        if dropped > 0 { StandardStreams.printError("dsconsole: \(dropped) tap events were dropped (the file was too slow)") }
        try await finish(recorder, progress: progress)
    }

    private func recordProxy() async throws(CommandFailure) {
        TerminationSignal.install()
        let started = try await ObservedServer.startProxy(
            upstreams: source.proxy, listens: source.listens, caFile: source.upstreamCA, events: true, frames: false,
            busyPoll: source.busyPoll.window)
        let proxy = started.proxy
        let events = started.events
        let recorder: CallRecorder
        do { recorder = try makeRecorder(source: started.listeners.map(\.upstream).joined(separator: ", ")) } catch {
            await proxy.shutdown()
            throw error
        }
        StandardStreams.printLine(started.listeningLine(extra: [("file", .string(file))]))
        let progress = startProgress(recorder)
        let consumer = Task { for await event in events { recorder.observe(event) } }
        _ = await TerminationSignal.wait()
        await proxy.shutdown()
        await consumer.value
        let dropped = proxy.statistics.droppedEvents
        if dropped > 0 { StandardStreams.printError("dsconsole: \(dropped) events were dropped (the file was too slow)") }
        try await finish(recorder, progress: progress)
    }

    private func recordOwnConnection() async throws(CommandFailure) {
        let engine: ClientEngine
        do { engine = try ClientEngine(url: connection.url, options: connection.clientOptions()) } catch {
            throw CommandFailure(.usage, "dsconsole: bad --url \(connection.url): \(error.description)")
        }
        TerminationSignal.install()
        let events = engine.events(bufferingNewest: 100_000)
        try await ConnectionOptions.login(engine, with: try connection.authData(), timeout: connection.connectTimeout)
        // Created only once logged in, so a failed connection leaves no file behind.
        let recorder: CallRecorder
        do { recorder = try makeRecorder(source: connection.url) } catch {
            await engine.close()
            throw error
        }
        let consumer = Task { () -> Bool in
            for await event in events {
                recorder.observe(event)
                if case .stateChanged(_, .closed, _) = event { return true }
            }
            return false
        }
        let progress = startProgress(recorder)
        let lost = await ObservedServer.follow(engine, until: consumer)
        try await finish(recorder, progress: progress)
        if lost { throw CommandFailure(.unavailable, "dsconsole: lost the connection to \(engine.url)") }
    }
}
