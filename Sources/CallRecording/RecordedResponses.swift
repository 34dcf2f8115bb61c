import DeepstreamProtocol

/// The answers of a recording, looked up by RPC name and request data: what `dsconsole provide
/// --from-recording` answers with (docs/recording.md).
///
/// With ``Match/data`` a request finds the recorded calls of the same name whose request data is equal
/// (as ``JSONDiff`` compares: member order and number spelling aside); with ``Match/name`` any
/// recorded call of that name. Several candidates are used in turn (round robin), so a recorded
/// sequence of answers to the same request is played back in order.
package struct RecordedResponses: Sendable {
    /// How a request finds its recorded answer.
    package enum Match: String, Sendable, CaseIterable {
        /// Same name and equal data.
        case data
        /// Same name only.
        case name
    }

    /// What a provider does for a matched request.
    package enum Answer: Hashable, Sendable {
        /// RESPONSE with this data after the delay.
        case respond(JSONValue?, after: Duration)
        /// REQUEST_ERROR with this data after the delay.
        case error(JSONValue?, after: Duration)
        /// REJECT (the recording ended with NO_RPC_PROVIDER: every provider rejected, or none existed).
        case reject
        /// Never ACCEPT (the recording ended with ACCEPT_TIMEOUT).
        case neverAccept
        /// ACCEPT, never answer (the recording ended with RESPONSE_TIMEOUT).
        case acceptThenNeverRespond
    }

    private struct Candidates: Sendable {
        var answers: [Answer]
        var next = 0
        mutating func take() -> Answer {
            let answer = answers[next]
            next = (next + 1) % answers.count
            return answer
        }
    }

    /// How requests are matched.
    package let match: Match
    private var byKey: [String: [String: Candidates]] = [:]
    /// Recorded calls that cannot be played back (denied, abandoned, or payload text that is not
    /// JSON), by reason.
    package private(set) var unusable: [String: Int] = [:]
    /// How many recorded calls can be played back.
    package private(set) var usableCount = 0

    /// Indexes `calls`; delays are the recorded total latencies divided by `speed` (0 or less: no delay).
    package init(_ calls: some Sequence<RecordedCall>, match: Match, speed: Double = 1) {
        self.match = match
        for call in calls {
            // A payload the recording console did not keep cannot be matched on or answered with.
            if call.responseNotKeptBytes != nil || (match == .data && call.requestNotKeptBytes != nil) {
                unusable["payload " + RecordedCall.notKeptReason, default: 0] += 1
                continue
            }
            guard let answer = Self.answer(for: call, speed: speed) else { continue }
            let key: String
            switch match {
            case .name:
                key = ""
            case .data:
                guard let request = call.request else {
                    key = "-"
                    add(answer, name: call.name, key: key)
                    continue
                }
                guard let value = try? JSONValue(parsing: request) else {
                    unusable["recorded request is not JSON", default: 0] += 1
                    continue
                }
                key = "=" + JSONCanonical.text(of: value)
            }
            add(answer, name: call.name, key: key)
        }
    }

    private mutating func add(_ answer: Answer, name: String, key: String) {
        byKey[name, default: [:]][key, default: Candidates(answers: [])].answers.append(answer)
        usableCount += 1
    }

    private static func answer(for call: RecordedCall, speed: Double) -> Answer? {
        var delay = Duration.zero
        if let start = call.startedAt, let end = call.endedAt, end >= start, speed > 0 {
            let nanoseconds = Double(end.nanoseconds - start.nanoseconds) / speed
            delay = .nanoseconds(Int64(nanoseconds.rounded()))
        }
        func data() -> JSONValue?? {
            guard let text = call.response else { return .some(nil) }
            guard let value = try? JSONValue(parsing: text) else { return nil }
            return .some(value)
        }
        switch call.finalStep {
        case .responded:
            guard let value = data() else { return nil }
            return .respond(value, after: delay)
        case .errored:
            guard let value = data() else { return nil }
            return .error(value, after: delay)
        case .failed(let reason) where reason == .noRPCProvider: return .reject
        case .failed(let reason) where reason == .acceptTimeout: return .neverAccept
        case .failed(let reason) where reason == .responseTimeout: return .acceptThenNeverRespond
        default: return nil
        }
    }

    /// The RPC names with at least one usable recorded call, sorted.
    package var names: [String] { byKey.keys.sorted() }

    /// How many usable recorded calls `name` has.
    package func count(for name: String) -> Int {
        byKey[name]?.values.reduce(0) { $0 + $1.answers.count } ?? 0
    }

    /// The next recorded answer for a request, or nil when nothing recorded matches.
    package mutating func answer(name: String, data: JSONValue?) -> Answer? {
        let key: String
        switch match {
        case .name: key = ""
        case .data: key = data.map { "=" + JSONCanonical.text(of: $0) } ?? "-"
        }
        return byKey[name]?[key]?.take()
    }

    /// The REQUEST_ERROR value for a request nothing recorded matches: `{"notRecorded": {"name": …, "data": …}}`
    /// (`data` left out when the request had none).
    package static func notRecorded(name: String, data: JSONValue?) -> JSONValue {
        var details = JSONObject([("name", .string(name))])
        if let data { details["data"] = data }
        return .object(JSONObject([("notRecorded", .object(details))]))
    }
}
