import CallRecording
import DeepstreamClient
import DeepstreamProtocol
import MockProviders

/// Providers that answer with a recording's answers (``RecordedResponses``): what `dsconsole provide
/// --from-recording` serves and what the console loads with `--providers-from-recording`, so both
/// answer identically.
enum RecordingProviderHost {
    /// A recording read as providers.
    struct Loaded: Sendable {
        /// One provider per chosen name, in name order.
        var providers: [ServedProvider]
        /// Lines that are not valid recording lines (skipped).
        var badLineCount: Int
        /// The first of them, as `line N: problem`.
        var firstBadLine: String?
        /// What the reader left out, one line each, prefixed with the file name: skipped bad lines,
        /// recorded calls that cannot be played back (denied, abandoned).
        var notes: [String]
    }

    /// Reads the recording at `path` (missing or unreadable: 66) and makes its providers.
    static func load(
        _ path: String, names: [String] = [], match: RecordedResponses.Match, speed: Double
    ) throws(CommandFailure) -> Loaded {
        let text = try StandardStreams.readFile(path, what: "recording")
        return try load(text: text, file: path, names: names, match: match, speed: speed)
    }

    /// One provider per name of the recording `text` (or per name of `names`); the recording is read
    /// once and shared by all. Bad lines are skipped and reported in ``Loaded`` (the caller decides
    /// whether they are fatal); a text with no header and no call, or with no call that can be
    /// served, is an error (65).
    static func load(
        text: String, file path: String, names: [String] = [], match: RecordedResponses.Match, speed: Double
    ) throws(CommandFailure) -> Loaded {
        let read = RecordingReader.read(text)
        if read.header == nil, read.calls.isEmpty {
            let problem = read.firstBadLine.map { ": \($0)" } ?? " (no header line)"
            throw CommandFailure(.dataError, "dsconsole: \(path): not a recording\(problem)")
        }
        var notes: [String] = []
        if let bad = read.firstBadLine {
            notes.append("\(path): skipped \(read.badLineCount) bad line\(read.badLineCount == 1 ? "" : "s") (first: \(bad))")
        }
        let responses = RecordedResponses(read.calls, match: match, speed: speed)
        for (reason, count) in responses.unusable.sorted(by: { $0.key < $1.key }) {
            notes.append("\(path): \(count) recorded call\(count == 1 ? "" : "s") not served: \(reason)")
        }
        var seen = Set<String>()
        let chosen = names.isEmpty ? responses.names : names.filter { seen.insert($0).inserted }
        if chosen.isEmpty { throw CommandFailure(.dataError, "dsconsole: \(path): no recorded call can be served") }
        // Names without a usable recorded call are still provided: every request gets notRecorded.
        let shared = Locked(responses)
        let providers = chosen.map { name in
            let count = responses.count(for: name)
            let summary = "\(count) recorded call\(count == 1 ? "" : "s"), match \(match.rawValue)"
            return ServedProvider(name: name, summary: summary, recording: path) { engine, report throws(ProviderError) in
                try await engine.provide(name) { data, response, requestor in
                    let request = ProviderRequest(
                        name: response.name, correlationId: response.correlationId, data: data,
                        requestorName: requestor?.name, requestorData: requestor?.data)
                    let answer = shared.withLock { $0.answer(name: name, data: data) }
                    let plan = Self.plan(for: answer, name: name, data: data)
                    carryOut(answer, plan: plan, on: response)
                    report(request, plan)
                }
            }
        }
        return Loaded(providers: providers, badLineCount: read.badLineCount, firstBadLine: read.firstBadLine?.description, notes: notes)
    }

    /// The mock-provider plan an answer amounts to (what the served-call log prints).
    static func plan(for answer: RecordedResponses.Answer?, name: String, data: JSONValue?) -> ProviderPlan {
        switch answer {
        case nil: .error(RecordedResponses.notRecorded(name: name, data: data), after: .zero)
        case .respond(let value, let delay)?: .respond(value, after: delay)
        case .error(let value, let delay)?: .error(value ?? .null, after: delay)
        case .reject?: .reject
        case .neverAccept?: .neverAccept
        case .acceptThenNeverRespond?: .acceptThenNeverRespond
        }
    }

    /// Carries out the plan; a recorded REQUEST_ERROR without data is sent without data (the plan's
    /// `null` is only for the log line).
    private static func carryOut(_ answer: RecordedResponses.Answer?, plan: ProviderPlan, on response: RPCResponse) {
        if case .error(nil, let delay)? = answer {
            response.accept()
            Task {
                if delay > .zero { try? await Task.sleep(for: delay) }
                response.error(nil)
            }
            return
        }
        MockProviderHost.carryOut(plan, on: response)
    }
}
