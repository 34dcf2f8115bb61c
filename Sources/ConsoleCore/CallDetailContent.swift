import DeepstreamProtocol

/// Builds the detail view of a call: summary, timeline, request and response as pretty JSON.
package enum CallDetailContent {
    /// The detail lines of `record`.
    ///
    /// Unless `expanded`, a payload longer than ``foldThreshold`` lines shows only its first level
    /// (deeper objects and arrays folded to `{… 3 keys}`); `z` in the detail view expands it.
    package static func lines(
        for record: CallRecord, route: String, peerLabel: (PeerID) -> String, expanded: Bool = false
    ) -> [StyledLine] {
        var lines: [StyledLine] = []
        lines.append(StyledLine([StyledSpan(record.name, .title), StyledSpan("  "), StyledSpan(record.status.label, record.status.role)]))
        lines.append(StyledLine([
            StyledSpan("call ", .dim), StyledSpan(record.key.call.description),
            StyledSpan("  ", .dim), StyledSpan(record.key.origin.sourceDescription, .dim),
            StyledSpan("  route ", .dim), StyledSpan(route),
        ]))
        lines.append(StyledLine([
            StyledSpan("accept ", .dim), StyledSpan(DisplayFormat.latency(record.acceptLatency)),
            StyledSpan("  total ", .dim), StyledSpan(DisplayFormat.latency(record.totalLatency)),
            StyledSpan("  request ", .dim), StyledSpan(DisplayFormat.bytes(record.requestBytes)),
            StyledSpan("  response ", .dim), StyledSpan(DisplayFormat.bytes(record.responseBytes)),
        ]))
        lines.append(StyledLine())
        lines.append(StyledLine("Timeline", .title))
        var routedBefore = false
        let timeline = record.timeline
        // The record's payloads are those of its last request and its last answer: only those steps know
        // the size of a released payload. (An earlier request of a re-sent call whose copy was released
        // too shows `-`: its size is not kept anywhere.)
        let lastRequest = timeline.lastIndex { if case .requested = $0.step { true } else { false } }
        let lastAnswer = timeline.lastIndex {
            switch $0.step {
            case .responded, .errored: true
            default: false
            }
        }
        for (index, entry) in timeline.enumerated() {
            let offset = "+" + DisplayFormat.latency(entry.at.since(record.startedAt))
            // A released payload's step has no data left: it says its size and that it was not kept.
            let notKeptBytes: Int? =
                if index == lastRequest, record.isRequestReleased { record.requestBytes }
                else if index == lastAnswer, record.isResponseReleased { record.responseBytes }
                else { nil }
            let (text, role) = describe(
                entry.step, routedBefore: routedBefore, notKeptBytes: notKeptBytes, peerLabel: peerLabel)
            if case .routed = entry.step { routedBefore = true }
            lines.append(StyledLine([
                StyledSpan("  " + DisplayFormat.timeOfDay(entry.at) + " ", .dim),
                StyledSpan(DisplayFormat.fit(offset, 9, alignRight: true) + "  ", .dim),
                StyledSpan(text, role),
            ]))
        }
        lines.append(StyledLine())
        lines.append(StyledLine("Request", .title))
        if record.isRequestReleased {
            lines.append(StyledLine(notKeptText(bytes: record.requestBytes), .statePending))
        } else {
            lines += payload(record.requestData, expanded: expanded)
        }
        lines.append(StyledLine())
        lines.append(StyledLine(record.status == .errored ? "Error" : "Response", .title))
        if record.isResponseReleased {
            lines.append(StyledLine(notKeptText(bytes: record.responseBytes), .statePending))
        } else if record.responseData == nil && !record.status.isFinal {
            lines.append(StyledLine("  (waiting)", .statePending))
        } else {
            lines += payload(record.responseData, expanded: expanded)
        }
        return lines
    }

    /// What the detail view shows for a payload the log's memory budget released.
    package static func notKeptText(bytes: Int?) -> String {
        "  (payload not kept: memory budget, \(DisplayFormat.bytes(bytes)))"
    }

    /// Payloads longer than this many lines are folded below their first level unless expanded.
    package static let foldThreshold = 30

    private static func payload(_ text: String?, expanded: Bool) -> [StyledLine] {
        let full = JSONHighlighter.lines(jsonText: text, indent: "  ")
        guard !expanded, full.count > foldThreshold else { return full }
        let folded = JSONHighlighter.lines(jsonText: text, indent: "  ", foldDepth: 1)
        guard folded.count < full.count else { return full }
        return folded + [StyledLine("  (\(full.count) lines folded to \(folded.count); z expands)", .dim)]
    }

    /// A timeline step for people: `routed to #3 alice`, `rerouted to #5`, `timed out (RESPONSE_TIMEOUT)`.
    /// `notKeptBytes` is the size of the step's payload when the log released it (its data is gone):
    /// `requested (30B, not kept)`.
    package static func describe(
        _ step: CallStep, routedBefore: Bool, notKeptBytes: Int? = nil, peerLabel: (PeerID) -> String
    ) -> (String, ThemeRole) {
        func size(_ data: String?) -> String {
            if data == nil, let notKeptBytes { return "\(DisplayFormat.bytes(notKeptBytes)), not kept" }
            return DisplayFormat.bytes(data?.utf8.count)
        }
        return switch step {
        case .requested(let data): ("requested (\(size(data)))", .text)
        case .routed(let peer): ("\(routedBefore ? "rerouted" : "routed") to \(peerLabel(peer))", .text)
        case .accepted(let peer): ("accepted by \(peerLabel(peer))", .statePending)
        case .rejected(let peer): ("rejected by \(peerLabel(peer))", .stateError)
        case .responded(let data): ("responded (\(size(data)))", .stateOK)
        case .errored(let data): ("answered with REQUEST_ERROR (\(size(data)))", .stateError)
        case .failed(let reason):
            switch reason {
            case .acceptTimeout, .responseTimeout: ("timed out (\(reason.name))", .stateError)
            default: ("failed: \(reason.name)", .stateError)
            }
        case .denied(let rule, let reason):
            reason == .messagePermissionError
                ? ("permission error (\(reason.name)) in \(rule)", .stateError)
                : ("denied by \(rule) (\(reason.name))", .stateError)
        case .abandoned(let reason): ("abandoned: \(reason)", .stateError)
        case .steered(let rule, let action, let detail):
            (steeringSummary(rule: rule, action: action, detail: detail, full: true), .statePending)
        }
    }

    /// A steering step for people: `delayed 312 ms by rule 2`, `failed by rule 1`; `full` adds the
    /// injected error value.
    package static func steeringSummary(rule: Int, action: String, detail: String?, full: Bool = false) -> String {
        switch action {
        case "delay-request": "request delayed \(detail ?? "") by rule \(rule)"
        case "delay-response": "response delayed \(detail ?? "") by rule \(rule)"
        case "fail": full ? "failed by rule \(rule) (REQUEST_ERROR \(detail ?? "null"))" : "failed by rule \(rule)"
        case "reject": "answer replaced by REJECT by rule \(rule)"
        case "drop-response": "response dropped by rule \(rule)"
        case "switched-off": "rejected on the provider's behalf: switched off in the console"
        case "hold": "held in the console by rule \(rule)"
        case "released": "released by hand"
        case "released-edited": full ? "released by hand with edited data \(detail ?? "")" : "released by hand with edited data"
        case "answered": full ? "answered by hand (RESPONSE \(detail ?? "null"))" : "answered by hand"
        case "answered-error": full ? "answered by hand (REQUEST_ERROR \(detail ?? "null"))" : "answered by hand with an error"
        case "rejected-by-hand":
            // In proxy mode the held REQUEST never reached the server: the proxy answers NO_RPC_PROVIDER.
            detail.map { "rejected by hand (answered \($0))" } ?? "rejected by hand (REJECT on the provider's behalf)"
        case "hold-skipped": "not held: rule \(rule) skipped, \(detail ?? "too many calls held")"
        case "dropped-by-hand": "dropped by hand (a response timeout ends it)"
        default: "\(action) by rule \(rule)"
        }
    }
}
