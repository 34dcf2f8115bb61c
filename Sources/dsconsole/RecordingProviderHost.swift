import CallRecording
import DeepstreamClient
import DeepstreamProtocol
import MockProviders

/// `dsconsole provide --from-recording`: providers that answer with a recording's answers
/// (``RecordedResponses``), served through the same log as the mock providers.
enum RecordingProviderHost {
    /// One provider per name of the recording (or per name of `names`); the recording is read once
    /// and shared by all. Bad lines are skipped with a note on stderr (the answers that can be read
    /// are still useful); a file that holds no usable call is an error (65).
    static func providers(
        from path: String, names: [String], match: RecordedResponses.Match, speed: Double
    ) throws(CommandFailure) -> [ProvideCommand.ServedProvider] {
        let text = try StandardStreams.readFile(path, what: "recording")
        let read = RecordingReader.read(text)
        if read.header == nil, read.calls.isEmpty {
            let problem = read.firstBadLine.map { ": \($0)" } ?? " (no header line)"
            throw CommandFailure(.dataError, "dsconsole: \(path): not a recording\(problem)")
        }
        if let bad = read.firstBadLine {
            StandardStreams.printError("dsconsole: \(path): skipped \(read.badLineCount) bad line\(read.badLineCount == 1 ? "" : "s") (first: \(bad))")
        }
        let responses = RecordedResponses(read.calls, match: match, speed: speed)
        for (reason, count) in responses.unusable.sorted(by: { $0.key < $1.key }) {
            StandardStreams.printError("dsconsole: \(path): \(count) recorded call\(count == 1 ? "" : "s") not served: \(reason)")
        }
        var seen = Set<String>()
        let chosen = names.isEmpty ? responses.names : names.filter { seen.insert($0).inserted }
        if chosen.isEmpty { throw CommandFailure(.dataError, "dsconsole: \(path): no recorded call can be served") }
        // Names without a usable recorded call are still provided: every request gets notRecorded.
        let shared = Locked(responses)
        return chosen.map { name in
            let count = responses.count(for: name)
            let summary = "\(count) recorded call\(count == 1 ? "" : "s"), match \(match.rawValue)"
            return ProvideCommand.ServedProvider(name: name, summary: summary) { engine, log throws(ProviderError) in
                try await engine.provide(name) { data, response, requestor in
                    let request = ProviderRequest(
                        name: response.name, correlationId: response.correlationId, data: data,
                        requestorName: requestor?.name, requestorData: requestor?.data)
                    let answer = shared.withLock { $0.answer(name: name, data: data) }
                    let plan = Self.plan(for: answer, name: name, data: data)
                    carryOut(answer, plan: plan, on: response)
                    log.record(request, plan: plan, at: ClientEngine.wallClock())
                }
            }
        }
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
