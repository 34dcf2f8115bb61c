import DeepstreamProtocol

/// The running tally of a replay: counts per RPC name and overall, plus the first differing calls
/// in detail (bounded: ``detailLimit``). Pure; the replay command feeds it one verdict per call.
package struct ReplayReport: Hashable, Sendable {
    /// Counts for one RPC name (or the total).
    package struct Counts: Hashable, Sendable {
        /// Calls compared.
        package var compared = 0
        /// Calls with the same answer.
        package var same = 0
        /// Calls with the same outcome and different data.
        package var different = 0
        /// Calls with a different outcome.
        package var differentOutcome = 0
        /// Creates zero counts.
        package init() {}

        mutating func add(_ verdict: ReplayVerdict) {
            compared += 1
            switch verdict {
            case .same: same += 1
            case .different: different += 1
            case .differentOutcome: differentOutcome += 1
            }
        }
    }

    /// One call that did not match, kept for the report.
    package struct Mismatch: Hashable, Sendable {
        /// The call's position among the replayed calls (1-based).
        package var index: Int
        /// The RPC name.
        package var name: String
        /// The recorded correlation id.
        package var correlationId: String
        /// What differed.
        package var verdict: ReplayVerdict
    }

    /// How many mismatches are kept in detail; later ones are only counted.
    package let detailLimit: Int
    /// The calls the replay will send (after filtering).
    package var planned: Int
    /// Recorded calls not replayed, and why (`abandoned by the client`, `request is not JSON`).
    package private(set) var skipped: [String: Int] = [:]
    /// Counts per RPC name.
    package private(set) var byName: [String: Counts] = [:]
    /// Counts over all names.
    package private(set) var total = Counts()
    /// The first ``detailLimit`` mismatches, in the order they were found.
    package private(set) var mismatches: [Mismatch] = []

    /// Creates an empty report for `planned` calls.
    package init(planned: Int, detailLimit: Int = 100) {
        self.planned = planned
        self.detailLimit = detailLimit
    }

    /// Whether every compared call matched.
    package var allMatched: Bool { total.same == total.compared }

    /// Counts a recorded call that is not replayed.
    package mutating func skip(because reason: String) { skipped[reason, default: 0] += 1 }

    /// Adds the verdict for the `index`th replayed call (1-based).
    package mutating func add(_ verdict: ReplayVerdict, for call: RecordedCall, index: Int) {
        total.add(verdict)
        byName[call.name, default: Counts()].add(verdict)
        if verdict != .same, mismatches.count < detailLimit {
            mismatches.append(Mismatch(index: index, name: call.name, correlationId: call.correlationId, verdict: verdict))
        }
    }

    /// The summary table: one row per name (sorted), then the total; then the kept mismatches with
    /// their diff paths, and the skipped calls.
    package func summaryText(maxPathsPerCall: Int = 10) -> String {
        let header = ["rpc", "calls", "same", "different", "outcome≠"]
        var rows = byName.keys.sorted().map { name -> [String] in
            let c = byName[name]!
            return [name, "\(c.compared)", "\(c.same)", "\(c.different)", "\(c.differentOutcome)"]
        }
        rows.append(["total", "\(total.compared)", "\(total.same)", "\(total.different)", "\(total.differentOutcome)"])
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { column, cell in
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                return column == 0 ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }
        var lines = [line(header)] + rows.map(line)
        for mismatch in mismatches {
            switch mismatch.verdict {
            case .same: continue
            case .differentOutcome(let recorded, let replayed):
                lines.append("#\(mismatch.index) \(mismatch.name) (\(mismatch.correlationId)): outcome \(recorded) -> \(replayed)")
            case .different(let differences):
                lines.append("#\(mismatch.index) \(mismatch.name) (\(mismatch.correlationId)): \(differences.count) difference\(differences.count == 1 ? "" : "s")")
                for difference in differences.prefix(maxPathsPerCall) { lines.append("  \(difference)") }
                if differences.count > maxPathsPerCall { lines.append("  … \(differences.count - maxPathsPerCall) more") }
            }
        }
        let unlisted = total.compared - total.same - mismatches.count
        if unlisted > 0 { lines.append("(\(unlisted) more mismatching calls not listed)") }
        for reason in skipped.keys.sorted() { lines.append("skipped \(skipped[reason]!): \(reason)") }
        return lines.joined(separator: "\n")
    }

    /// The machine-readable report (`--json`): totals, per-name counts, skipped calls and the kept
    /// mismatches with every difference (path, kind, values).
    package func json(file: String, url: String, speed: ReplaySpeed, badLines: Int, firstBadLine: BadRecordingLine?) -> JSONValue {
        func counts(_ c: Counts) -> [(String, JSONValue)] {
            [("calls", .int(c.compared)), ("same", .int(c.same)), ("different", .int(c.different)),
             ("differentOutcome", .int(c.differentOutcome))]
        }
        var object = JSONObject([
            ("file", .string(file)), ("url", .string(url)), ("speed", .string(speed.description)),
            ("result", .string(allMatched ? "matched" : "differed")),
        ])
        for (key, value) in counts(total) { object[key] = value }
        object["skipped"] = .object(JSONObject(skipped.keys.sorted().map { ($0, JSONValue.int(skipped[$0]!)) }))
        object["badLines"] = .int(badLines)
        object["firstBadLine"] = firstBadLine.map { .string($0.description) } ?? .null
        object["byName"] = .array(byName.keys.sorted().map { name in
            .object(JSONObject([("name", JSONValue.string(name))] + counts(byName[name]!)))
        })
        object["mismatches"] = .array(mismatches.map { mismatch in
            var o = JSONObject([
                ("index", .int(mismatch.index)), ("name", .string(mismatch.name)),
                ("correlationId", .string(mismatch.correlationId)), ("verdict", .string(mismatch.verdict.name)),
            ])
            switch mismatch.verdict {
            case .same: break
            case .differentOutcome(let recorded, let replayed):
                o["recordedOutcome"] = .string(recorded)
                o["replayedOutcome"] = .string(replayed)
            case .different(let differences):
                o["differences"] = .array(differences.map { difference in
                    var d = JSONObject([("path", .string(difference.path.description)), ("kind", .string(difference.kindName))])
                    switch difference.kind {
                    case .added(let value): d["replayed"] = value
                    case .removed(let value): d["recorded"] = value
                    case .changed(let from, let to): d["recorded"] = from; d["replayed"] = to
                    }
                    return .object(d)
                })
            }
            return .object(o)
        })
        object["mismatchesNotListed"] = .int(total.compared - total.same - mismatches.count)
        return .object(object)
    }
}
