import DeepstreamProtocol

/// `r` and `e` on a call in the log (issue 13): send it again from the console's own connection, or
/// load it into the composer. Any call works, whoever made it, as long as its request was seen.
extension ConsoleState {
    /// The call `r`/`e` act on: the one in the detail view, else the Calls pane's selection.
    var callToReplay: CallRecord? {
        if case .detail(let key, _) = overlay { return calls.log[key] }
        return selectedCall
    }

    /// The request of `record` as composer text (pretty JSON, empty without a payload), or a reason
    /// why it cannot be replayed.
    static func replayableRequest(of record: CallRecord) -> Result<(data: JSONValue?, body: String), ReplayRefusal> {
        if let bytes = record.requestNotKeptBytes { return .failure(.notKept(bytes: bytes)) }
        guard let text = record.requestData else {
            // Without a `requested` step the request was never seen (the call was observed mid-way).
            let seen = record.timeline.contains { if case .requested = $0.step { true } else { false } }
            return seen ? .success((nil, "")) : .failure(.notSeen)
        }
        guard let value = try? JSONValue(parsing: text) else { return .failure(.notJSON) }
        return .success((value, value.prettyText))
    }

    /// Why a call cannot be sent again.
    enum ReplayRefusal: Error {
        case notSeen
        case notJSON
        case notKept(bytes: Int)

        var text: String {
            switch self {
            case .notKept(let bytes):
                "its request (\(DisplayFormat.bytes(bytes))) was not kept (payload memory budget, --payload-memory)"
            case .notSeen: "its request was not seen (the call was observed after it was made)"
            case .notJSON: "its request data is not JSON"
            }
        }
    }

    /// `r`: the call's name and data go out again as a composer call (its result shows in the
    /// composer, the new call gets its own row) and into the history, so F5 repeats it.
    mutating func resendCall() -> [ConsoleEffect] {
        guard let record = callToReplay else {
            notify("No call selected")
            return [.requestRedraw]
        }
        switch Self.replayableRequest(of: record) {
        case .failure(let refusal):
            notify("Cannot send \(record.name) again: \(refusal.text)", isError: true)
            return [.requestRedraw]
        case .success(let request):
            let entry = ComposerHistoryEntry(name: record.name, body: request.body)
            composer.remember(entry)
            notify("Sent \(record.name) again (call \(record.key.call.correlationId)'s data) from the console")
            return [startMake(name: record.name, data: request.data, request: entry), .saveHistory(composer.history), .requestRedraw]
        }
    }

    /// `e`: the call's name and data fill the composer (body focused, typing) to edit and send.
    mutating func editCall() {
        guard let record = callToReplay else {
            notify("No call selected")
            return
        }
        switch Self.replayableRequest(of: record) {
        case .failure(let refusal):
            notify("Cannot edit \(record.name): \(refusal.text)", isError: true)
        case .success(let request):
            composer.load(ComposerHistoryEntry(name: record.name, body: request.body))
            composer.field = .body
            setFocus(.composer)
            isEditingComposer = true
            notify("\(record.name) is in the composer: edit it, Ctrl-S sends")
        }
    }
}
