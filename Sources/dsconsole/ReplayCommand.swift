import ArgumentParser
import CallRecording
import ConsoleCore
import DeepstreamClient
import DeepstreamProtocol

/// `dsconsole replay FILE --url URL`: re-sends a recording's requests and compares every answer with
/// the recorded one (docs/recording.md). Exit 0 when everything matched, 1 when something differed.
struct ReplayCommand: AsyncParsableCommand {
    /// Command-line metadata.
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Re-send a recording's requests and compare the answers with the recorded ones.",
        discussion: """
            Sends every recorded request (name + data) from its own connection, paced like the recording \
            divided by --speed (max: as fast as --in-flight allows), and compares each answer with the \
            recorded one: same, different (the JSON paths added, removed or changed) or a different \
            outcome. Progress goes to stderr, the summary table to stdout (--json: one JSON report). Exit 0 \
            when every call matched, 1 when one differed, 65 for a bad recording (unless --skip-bad-lines), \
            and the connection codes of call (69, 77). See docs/recording.md.
            """)

    /// The recording.
    @Argument(help: ArgumentHelp("The recording to replay.", valueName: "FILE")) var file: String
    /// Pacing.
    @Option(help: ArgumentHelp("Recorded pacing divided by this factor (1, 2, 0.5, …) or max.", valueName: "1|2|…|max"))
    var speed: String = "1"
    /// Which recorded calls to replay.
    @Option(help: ArgumentHelp("Replay only the calls this Calls-pane filter matches (docs/console.md).", valueName: "EXPR"))
    var filter: String?
    /// Paths left out of the comparison.
    @Option(help: ArgumentHelp("Leave this JSON path out of the comparison ($.at, $.items[*].id, $..id); repeatable.", valueName: "PATH"))
    var ignore: [String] = []
    /// The in-flight limit.
    @Option(name: .customLong("in-flight"), help: ArgumentHelp("At most N calls in flight at once.", valueName: "N"))
    var inFlight: Int = 8
    /// The per-call deadline.
    @Option(help: ArgumentHelp("Seconds to wait for each answer (a client-side deadline).", valueName: "S"))
    var timeout: Double = 30
    /// Machine-readable output.
    @Flag(help: "Print one JSON report on stdout instead of the summary table.") var json = false
    /// Bad lines.
    @Flag(name: .customLong("skip-bad-lines"), help: "Replay the readable calls of a recording with bad lines (default: refuse, exit 65).")
    var skipBadLines = false

    @OptionGroup var connection: ConnectionOptions

    /// Rejects bad values before anything is read.
    func validate() throws {
        guard ReplaySpeed(parsing: speed) != nil else { throw ValidationError("--speed must be a positive number or max, got \(speed)") }
        for path in ignore {
            do { _ = try JSONPathPattern(parsing: path) } catch { throw ValidationError("--ignore: \(error.description)") }
        }
        guard (1...10_000).contains(inFlight) else { throw ValidationError("--in-flight must be within 1…10000") }
        guard timeout > 0, timeout.isFinite else { throw ValidationError("--timeout must be positive") }
    }

    /// A recorded call to send: the call and its parsed request data.
    struct PlannedCall: Sendable {
        var call: RecordedCall
        var data: JSONValue?
    }

    /// Runs the replay.
    func run() async throws {
        OutputClosureWatcher.start(.gracefully)
        let report: ReplayReport
        do throws(CommandFailure) {
            report = try await replay()
        } catch {
            let failure = error
            StandardStreams.printError(failure.message)
            throw ExitCode(failure.status.rawValue)
        }
        if !report.allMatched { throw ExitCode(1) }
    }

    private func replay() async throws(CommandFailure) -> ReplayReport {
        let speed = ReplaySpeed(parsing: speed) ?? .factor(1)
        let patterns = ignore.compactMap { try? JSONPathPattern(parsing: $0) }
        let text = try StandardStreams.readFile(file, what: "recording")
        let read = RecordingReader.read(text)
        if read.header == nil, read.firstBadLine == nil {
            throw CommandFailure(.dataError, "dsconsole: \(file): not a recording (no header line)")
        }
        if let bad = read.firstBadLine {
            let count = read.badLineCount
            if !skipBadLines {
                throw CommandFailure(
                    .dataError,
                    "dsconsole: \(file): \(bad) (\(count) bad line\(count == 1 ? "" : "s"); --skip-bad-lines replays the rest)")
            }
            StandardStreams.printError("dsconsole: \(file): skipping \(count) bad line\(count == 1 ? "" : "s") (first: \(bad))")
        }
        let (plan, initial) = Self.plan(read.calls, filter: filter)
        let engine = try await connection.connect()
        let lost = Locked(false)
        let events = engine.events(bufferingNewest: 64)
        let watcher = Task {
            for await event in events {
                if case .stateChanged(_, let to, _) = event, to == .closed || to == .reconnecting {
                    lost.withLock { $0 = true }
                    return
                }
            }
        }
        let shared = Locked(initial)
        let progress = startProgress(shared)
        let timeout = Duration.milliseconds(Int64(timeout * 1000))
        let sent = await Self.send(plan, on: engine, speed: speed, inFlight: inFlight, timeout: timeout, lost: lost) { index, answer in
            let call = plan[index].call
            let verdict = ReplayVerdict.compare(recorded: ReplayAnswer(recorded: call), replayed: answer, ignoring: patterns)
            shared.withLock { $0.add(verdict, for: call, index: index + 1) }
        }
        progress.cancel()
        await progress.value
        watcher.cancel()
        await engine.close()
        let report = shared.value
        if lost.value {
            throw CommandFailure(.unavailable, "dsconsole: lost the connection to \(engine.url) after \(sent) of \(report.planned) calls")
        }
        if json {
            StandardStreams.printLine(
                report.json(file: file, url: engine.url.description, speed: speed, badLines: read.badLineCount, firstBadLine: read.firstBadLine).jsonText)
        } else {
            StandardStreams.printLine(report.summaryText())
        }
        return report
    }

    /// The calls to send (those `filter` matches, minus the ones without an answer to compare or
    /// without a parseable request) and an empty report that counts the skipped ones.
    static func plan(_ calls: [RecordedCall], filter: String?) -> ([PlannedCall], ReplayReport) {
        let matches = filter.map { CallFilter($0).predicate() }
        var plan: [PlannedCall] = []
        var skipped: [String] = []
        for (sequence, call) in calls.enumerated() {
            if let matches, !matches(CallRecord(recorded: call, sequence: sequence), { "" }) { continue }
            if call.outcome.hasPrefix("abandoned") {
                skipped.append("abandoned by the recorded client (no answer to compare)")
                continue
            }
            if call.requestNotKeptBytes != nil {
                skipped.append("recorded request " + RecordedCall.notKeptReason)
                continue
            }
            var data: JSONValue?
            if let request = call.request {
                guard let parsed = try? JSONValue(parsing: request) else {
                    skipped.append("recorded request is not JSON")
                    continue
                }
                data = parsed
            }
            plan.append(PlannedCall(call: call, data: data))
        }
        var report = ReplayReport(planned: plan.count)
        for reason in skipped { report.skip(because: reason) }
        return (plan, report)
    }

    /// Sends the planned calls in order, each no earlier than its paced time and with at most
    /// `inFlight` unanswered; `answered` gets every answer (from the sending task, one at a time).
    /// Stops sending once `lost` is set. Returns how many calls were sent.
    static func send(
        _ plan: [PlannedCall], on engine: ClientEngine, speed: ReplaySpeed, inFlight: Int, timeout: Duration,
        lost: Locked<Bool>, answered: (Int, ReplayAnswer) -> Void
    ) async -> Int {
        guard let firstStart = plan.first?.call.startedAt else { return 0 }
        let clock = ContinuousClock()
        let start = clock.now
        return await withTaskGroup(of: (Int, ReplayAnswer).self) { group in
            var running = 0
            var sent = 0
            for (index, item) in plan.enumerated() {
                if running >= inFlight, let (done, answer) = await group.next() {
                    answered(done, answer)
                    running -= 1
                }
                if let delay = speed.delay(for: item.call, firstStartedAt: firstStart) {
                    try? await clock.sleep(until: start.advanced(by: delay))
                }
                if lost.value { break }
                let name = item.call.name
                let data = item.data
                group.addTask {
                    let result: Result<JSONValue?, RPCError>
                    do throws(RPCError) {
                        result = .success(try await engine.make(name, data: data, timeout: timeout))
                    } catch {
                        result = .failure(error)
                    }
                    return (index, ReplayAnswer(result))
                }
                running += 1
                sent += 1
            }
            for await (done, answer) in group { answered(done, answer) }
            return sent
        }
    }

    /// Progress on stderr: a bar redrawn in place on a terminal, otherwise a line every second.
    private func startProgress(_ report: Locked<ReplayReport>) -> Task<Void, Never> {
        let terminal = StandardStreams.stderrIsTerminal
        return Task {
            var drawn = false
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(terminal ? 200 : 1000))
                let current = report.value
                if terminal {
                    StandardStreams.writeError("\r" + Self.progressBar(current) + "\u{1B}[K")
                    drawn = true
                } else if !Task.isCancelled {
                    StandardStreams.printError("dsconsole: " + Self.progressLine(current))
                }
            }
            if drawn { StandardStreams.writeError("\r" + Self.progressBar(report.value) + "\u{1B}[K\n") }
        }
    }

    /// `replayed 120/500 calls: 118 same, 1 different, 1 different outcome`.
    static func progressLine(_ report: ReplayReport) -> String {
        let t = report.total
        return "replayed \(t.compared)/\(report.planned) calls: \(t.same) same, \(t.different) different, \(t.differentOutcome) different outcome"
    }

    /// `[#######-------------] 120/500 same 118 ≠ 2`.
    static func progressBar(_ report: ReplayReport, width: Int = 30) -> String {
        let t = report.total
        let filled = report.planned == 0 ? width : min(width, t.compared * width / report.planned)
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        return "[\(bar)] \(t.compared)/\(report.planned) same \(t.same) different \(t.different + t.differentOutcome)"
    }
}
