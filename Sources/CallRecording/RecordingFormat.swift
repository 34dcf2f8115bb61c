import DeepstreamProtocol

/// The JSON Lines recording format (docs/recording.md): a header line, then one line per ended call.
///
/// Payloads are kept as JSON *strings* holding the text exactly as it crossed the wire, so a
/// recording reproduces the bytes (whitespace, number spelling, key order) rather than a
/// re-serialised value. Times are integer nanoseconds since the Unix epoch.
package enum RecordingFormat {
    /// The value of the header's `recording` member, which tells a recording from other JSON Lines.
    package static let marker = "dsconsole"

    // MARK: Writing

    /// The header line (no trailing newline).
    package static func line(for header: RecordingHeader) -> String {
        JSONValue.object(JSONObject([
            ("recording", .string(marker)), ("version", .int(header.version)),
            ("source", .string(header.source)), ("startedAt", time(header.startedAt)),
        ])).jsonText
    }

    /// The line for one call (no trailing newline).
    package static func line(for call: RecordedCall) -> String {
        var o = JSONObject()
        o["name"] = .string(call.name)
        o["correlationId"] = .string(call.correlationId)
        o["requestor"] = call.requestor.map(JSONValue.string) ?? .null
        o["provider"] = call.provider.map(JSONValue.string) ?? .null
        o["outcome"] = .string(call.outcome)
        o["request"] = call.request.map(JSONValue.string) ?? .null
        o["response"] = call.response.map(JSONValue.string) ?? .null
        o["timeline"] = .array(call.timeline.map(object(for:)))
        // Optional (older readers ignore it, older files lack it): payloads seen but not kept.
        var notKept = JSONObject()
        if let bytes = call.requestNotKeptBytes { notKept["request"] = .int(bytes) }
        if let bytes = call.responseNotKeptBytes { notKept["response"] = .int(bytes) }
        if !notKept.members.isEmpty { o["notKept"] = .object(notKept) }
        return JSONValue.object(o).jsonText
    }

    private static func object(for step: RecordedCall.Step) -> JSONValue {
        var o = JSONObject()
        o["at"] = time(step.at)
        switch step.step {
        case .requested: o["step"] = "requested"
        case .routed(let peer): o["step"] = "routed"; o["peer"] = peerValue(peer)
        case .accepted(let peer): o["step"] = "accepted"; o["peer"] = peerValue(peer)
        case .rejected(let peer): o["step"] = "rejected"; o["peer"] = peerValue(peer)
        case .responded: o["step"] = "responded"
        case .errored: o["step"] = "errored"
        case .failed(let reason): o["step"] = "failed"; o["reason"] = .string(reason.name)
        case .denied(let rule, let reason):
            o["step"] = "denied"; o["rule"] = .string(rule); o["reason"] = .string(reason.name)
        case .abandoned(let reason): o["step"] = "abandoned"; o["reason"] = .string(reason)
        case .steered(let rule, let action, let detail):
            o["step"] = "steered"; o["rule"] = .int(rule); o["action"] = .string(action)
            if let detail { o["detail"] = .string(detail) }
        }
        if let name = step.peerName { o["user"] = .string(name) }
        return .object(o)
    }

    private static func time(_ at: Timestamp) -> JSONValue {
        .number(JSONNumber(String(at.nanoseconds)) ?? JSONNumber(0))
    }

    private static func peerValue(_ peer: PeerID) -> JSONValue {
        .number(JSONNumber(String(peer.rawValue)) ?? JSONNumber(0))
    }

    // MARK: Reading

    /// Reads a header line.
    package static func header(from line: String) throws(RecordingLineError) -> RecordingHeader {
        let o = try object(line)
        guard o["recording"]?.stringValue == marker else {
            throw RecordingLineError("not a dsconsole recording header (no \"recording\":\"\(marker)\")")
        }
        guard let version = o["version"]?.intValue else { throw RecordingLineError("header: missing \"version\"") }
        guard version == RecordingHeader.currentVersion else {
            throw RecordingLineError("header: version \(version) is not supported (this dsconsole reads \(RecordingHeader.currentVersion))")
        }
        guard let source = o["source"]?.stringValue else { throw RecordingLineError("header: missing \"source\"") }
        return RecordingHeader(version: version, source: source, startedAt: try timestamp(o["startedAt"], "startedAt"))
    }

    /// Reads a call line.
    package static func call(from line: String) throws(RecordingLineError) -> RecordedCall {
        let o = try object(line)
        let name = try string(o, "name")
        let correlationId = try string(o, "correlationId")
        let request = try optionalString(o, "request")
        let response = try optionalString(o, "response")
        guard case .array(let steps)? = o["timeline"] else { throw RecordingLineError("missing \"timeline\" array") }
        var timeline: [RecordedCall.Step] = []
        timeline.reserveCapacity(steps.count)
        for (index, value) in steps.enumerated() {
            guard case .object(let s) = value else { throw RecordingLineError("timeline[\(index)] is not an object") }
            timeline.append(try step(s, index: index, request: request, response: response))
        }
        guard timeline.last?.step.isFinal == true else {
            throw RecordingLineError("timeline does not end with a final step (responded, errored, failed, denied, abandoned)")
        }
        var notKept: (request: Int?, response: Int?) = (nil, nil)
        if let value = o["notKept"], value != .null {
            guard case .object(let n) = value else { throw RecordingLineError("\"notKept\" is not an object") }
            func size(_ key: String) throws(RecordingLineError) -> Int? {
                guard let member = n[key], member != .null else { return nil }
                guard let bytes = member.intValue, bytes >= 0 else {
                    throw RecordingLineError("notKept.\(key) is not a byte count")
                }
                return bytes
            }
            notKept = (try size("request"), try size("response"))
        }
        return RecordedCall(
            name: name, correlationId: correlationId, requestor: try optionalString(o, "requestor"),
            provider: try optionalString(o, "provider"), request: request, response: response, timeline: timeline,
            requestNotKeptBytes: notKept.request, responseNotKeptBytes: notKept.response)
    }

    private static func step(
        _ s: JSONObject, index: Int, request: String?, response: String?
    ) throws(RecordingLineError) -> RecordedCall.Step {
        let at = try timestamp(s["at"], "timeline[\(index)].at")
        guard let kind = s["step"]?.stringValue else { throw RecordingLineError("timeline[\(index)]: missing \"step\"") }
        func peer() throws(RecordingLineError) -> PeerID {
            guard case .number(let n)? = s["peer"], let raw = UInt64(n.text) else {
                throw RecordingLineError("timeline[\(index)]: missing \"peer\"")
            }
            return PeerID(raw)
        }
        func reason() throws(RecordingLineError) -> String {
            guard let r = s["reason"]?.stringValue else { throw RecordingLineError("timeline[\(index)]: missing \"reason\"") }
            return r
        }
        func action() throws(RecordingLineError) -> RPCAction {
            let name = try reason()
            if name.hasPrefix("UNKNOWN_ACTION_"), let raw = Int32(name.dropFirst("UNKNOWN_ACTION_".count)) {
                return RPCAction(rawValue: raw)
            }
            guard let raw = RPCAction.names.first(where: { $0.value == name })?.key else {
                throw RecordingLineError("timeline[\(index)]: unknown RPC action \"\(name)\"")
            }
            return RPCAction(rawValue: raw)
        }
        let step: CallStep
        switch kind {
        case "requested": step = .requested(data: request)
        case "routed": step = .routed(to: try peer())
        case "accepted": step = .accepted(by: try peer())
        case "rejected": step = .rejected(by: try peer())
        case "responded": step = .responded(data: response)
        case "errored": step = .errored(data: response)
        case "failed": step = .failed(reason: try action())
        case "denied":
            guard let rule = s["rule"]?.stringValue else { throw RecordingLineError("timeline[\(index)]: missing \"rule\"") }
            step = .denied(rule: rule, reason: try action())
        case "abandoned": step = .abandoned(reason: try reason())
        case "steered":
            guard let rule = s["rule"]?.intValue, let action = s["action"]?.stringValue else {
                throw RecordingLineError("timeline[\(index)]: a steered step needs \"rule\" and \"action\"")
            }
            step = .steered(rule: rule, action: action, detail: s["detail"]?.stringValue)
        default: throw RecordingLineError("timeline[\(index)]: unknown step \"\(kind)\"")
        }
        return RecordedCall.Step(step: step, at: at, peerName: s["user"]?.stringValue)
    }

    private static func object(_ line: String) throws(RecordingLineError) -> JSONObject {
        let value: JSONValue
        do { value = try JSONValue(parsing: line) } catch { throw RecordingLineError("not JSON: \(error.description)") }
        guard case .object(let o) = value else { throw RecordingLineError("not a JSON object") }
        return o
    }

    private static func string(_ o: JSONObject, _ key: String) throws(RecordingLineError) -> String {
        guard let s = o[key]?.stringValue else { throw RecordingLineError("missing \"\(key)\" string") }
        return s
    }

    private static func optionalString(_ o: JSONObject, _ key: String) throws(RecordingLineError) -> String? {
        switch o[key] {
        case nil, .null?: return nil
        case .string(let s)?: return s
        default: throw RecordingLineError("\"\(key)\" is neither a string nor null")
        }
    }

    private static func timestamp(_ value: JSONValue?, _ key: String) throws(RecordingLineError) -> Timestamp {
        guard case .number(let n)? = value, let ns = UInt64(n.text) else {
            throw RecordingLineError("\"\(key)\" is not integer nanoseconds")
        }
        return Timestamp(nanoseconds: ns)
    }
}
