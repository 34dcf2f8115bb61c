import DeepstreamProtocol

/// What replaying one call showed.
package enum ReplayVerdict: Hashable, Sendable {
    /// The same outcome and equal data (ignored paths aside).
    case same
    /// The same outcome, different data: the differences, recorded → replayed.
    case different([JSONDifference])
    /// A different outcome (an error instead of a response, another error, …).
    case differentOutcome(recorded: String, replayed: String)

    /// Compares a replayed answer with the recorded one. Data missing on one side is a difference at
    /// `$` (added or removed).
    package static func compare(
        recorded: ReplayAnswer, replayed: ReplayAnswer, ignoring patterns: [JSONPathPattern] = []
    ) -> ReplayVerdict {
        guard recorded.outcome == replayed.outcome else {
            return .differentOutcome(recorded: recorded.outcome, replayed: replayed.outcome)
        }
        let ignoresRoot = patterns.contains { $0.matches(.root) }
        let differences: [JSONDifference]
        switch (recorded.data, replayed.data) {
        case (nil, nil): differences = []
        case (let old?, nil): differences = ignoresRoot ? [] : [JSONDifference(path: .root, kind: .removed(old))]
        case (nil, let new?): differences = ignoresRoot ? [] : [JSONDifference(path: .root, kind: .added(new))]
        case (let old?, let new?): differences = JSONDiff.differences(from: old, to: new, ignoring: patterns)
        }
        return differences.isEmpty ? .same : .different(differences)
    }

    /// `same`, `different` or `different-outcome`.
    package var name: String {
        switch self {
        case .same: "same"
        case .different: "different"
        case .differentOutcome: "different-outcome"
        }
    }
}
