import DeepstreamProtocol

extension RPCStatistics {
    /// The `{"ts", "event": "stats", "since", "rpcs", "overflowCalls"}` object that `watch --stats`
    /// prints and the console exports, for the time `now`.
    package func report(at now: Timestamp) -> JSONObject {
        var object = JSONObject()
        object["ts"] = Self.seconds(now)
        object["event"] = "stats"
        object["since"] = since.map(Self.seconds) ?? .null
        object["rpcs"] = jsonRows
        object["overflowCalls"] = .int(overflowCalls)
        return object
    }

    private static func seconds(_ time: Timestamp) -> JSONValue {
        JSONNumber(time.description).map(JSONValue.number) ?? .string(time.description)
    }

    /// The `rpcs` array of `watch --stats` and of a console export: one object per row,
    /// `{"name", "calls", "ok", "errors": {KIND: n}, "rerouted", "ratePerSecond", "acceptMs",
    /// "totalMs", "providers": [{"provider", …the same counts…}]}` (shapes in docs/commands.md).
    package var jsonRows: JSONValue {
        .array(rows.map { row in
            var object = JSONObject()
            object["name"] = .string(row.name)
            Self.fill(&object, row.counts)
            object["providers"] = .array(row.providers.map { entry in
                var provider = JSONObject()
                provider["provider"] = .string(entry.provider)
                Self.fill(&provider, entry.counts)
                return .object(provider)
            })
            return .object(object)
        })
    }

    private static func fill(_ object: inout JSONObject, _ counts: CallCounts) {
        object["calls"] = .int(counts.calls)
        object["ok"] = .int(counts.ok)
        var errors = JSONObject()
        for kind in CallOutcomeKind.errors where counts.errors(kind) > 0 {
            errors[kind.rawValue] = .int(counts.errors(kind))
        }
        object["errors"] = .object(errors)
        object["rerouted"] = .int(counts.rerouted)
        object["ratePerSecond"] = .double(rounded(counts.callsPerSecond))
        object["acceptMs"] = latency(counts.acceptLatency.summary)
        object["totalMs"] = latency(counts.totalLatency.summary)
    }

    private static func latency(_ summary: LatencySummary?) -> JSONValue {
        guard let summary else { return .null }
        return [
            "p50": .double(rounded(summary.p50)), "p90": .double(rounded(summary.p90)),
            "p99": .double(rounded(summary.p99)), "max": .double(rounded(summary.max)),
        ]
    }

    private static func rounded(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
}
