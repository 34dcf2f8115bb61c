import DeepstreamProtocol

/// A call as text to copy: JSON, a `dsconsole call` command line, or a JS `client.rpc.make` snippet.
package enum CallExport: String, CaseIterable, Hashable, Sendable {
    /// `{"name": …, "request": …, "response": …, …}`.
    case json
    /// `dsconsole call NAME 'JSON'`.
    case commandLine
    /// `client.rpc.make('NAME', DATA, (error, result) => …)`.
    case javaScript

    /// How the notice names it.
    package var title: String {
        switch self {
        case .json: "as JSON"
        case .commandLine: "as a dsconsole call command"
        case .javaScript: "as a JS client.rpc.make snippet"
        }
    }

    /// The text for `record`.
    package func text(for record: CallRecord, route: String) -> String {
        let request = Self.value(record.requestData)
        switch self {
        case .json:
            var members: [(String, JSONValue)] = [
                ("name", .string(record.name)), ("correlationId", .string(record.key.call.correlationId)),
                ("route", .string(route)), ("state", .string(record.status.label)),
                ("request", request ?? .null),
            ]
            members.append((record.status == .errored ? "error" : "response", Self.value(record.responseData) ?? .null))
            // Payloads released by the memory budget: null above, and their sizes here, so the
            // export never passes an absent payload off as "no data".
            var notKept: [(String, JSONValue)] = []
            if let bytes = record.requestNotKeptBytes { notKept.append(("request", .int(bytes))) }
            if let bytes = record.responseNotKeptBytes { notKept.append(("response", .int(bytes))) }
            if !notKept.isEmpty { members.append(("notKept", .object(JSONObject(notKept)))) }
            if let total = record.totalLatency {
                let (seconds, attoseconds) = total.components
                members.append(("totalMilliseconds", .double(Double(seconds) * 1000 + Double(attoseconds) / 1e15)))
            }
            return JSONValue.object(JSONObject(members)).prettyText
        case .commandLine:
            var line = "dsconsole call " + Self.shellQuoted(record.name)
            if let request { line += " " + Self.shellQuoted(request.jsonText) }
            return line
        case .javaScript:
            let name = JSONValue.string(record.name).jsonText
            let data = request?.jsonText ?? "undefined"
            return "client.rpc.make(\(name), \(data), (error, result) => {\n  console.log(error, result)\n})"
        }
    }

    /// Why `record` cannot be exported in this form, nil when it can: the call line and the JS
    /// snippet need the request, which the payload memory budget may have released.
    package func refusal(for record: CallRecord) -> String? {
        guard self != .json, let bytes = record.requestNotKeptBytes else { return nil }
        return ConsoleState.ReplayRefusal.notKept(bytes: bytes).text
    }

    private static func value(_ text: String?) -> JSONValue? {
        guard let text else { return nil }
        return (try? JSONValue(parsing: text)) ?? .string(text)
    }

    /// `'text'` with every `'` closed, escaped and reopened, safe for POSIX shells.
    package static func shellQuoted(_ text: String) -> String {
        "'" + text.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
    }
}
