import DeepstreamProtocol

/// When replay sends each call: the recorded start times relative to the first call, divided by the
/// speed; at `max` speed nothing waits (only the in-flight limit paces).
package enum ReplaySpeed: Hashable, Sendable, CustomStringConvertible {
    /// Recorded pacing divided by this factor (1 = as recorded).
    case factor(Double)
    /// As fast as the in-flight limit allows.
    case max

    /// Parses `1`, `2`, `0.5`, `max`; nil for anything else (zero, negative, not finite).
    package init?(parsing text: String) {
        if text.lowercased() == "max" {
            self = .max
            return
        }
        guard let factor = Double(text), factor.isFinite, factor > 0 else { return nil }
        self = .factor(factor)
    }

    /// How long after the replay's start a call that started `offset` after the first recorded call
    /// is sent; nil at `max`.
    package func delay(forOffset offset: Duration) -> Duration? {
        switch self {
        case .max: return nil
        case .factor(let factor):
            let nanoseconds = Double(offset.components.seconds) * 1e9 + Double(offset.components.attoseconds) / 1e9
            return .nanoseconds(Int64((nanoseconds / factor).rounded()))
        }
    }

    /// The delay for `call` in a replay whose first call started at `first`.
    package func delay(for call: RecordedCall, firstStartedAt first: Timestamp) -> Duration? {
        let start = call.startedAt ?? first
        return delay(forOffset: start < first ? .zero : start.since(first))
    }

    /// `1`, `2.5`, `max`.
    package var description: String {
        switch self {
        case .max: "max"
        case .factor(let factor): factor == factor.rounded() && factor < 1e15 ? String(Int64(factor)) : String(factor)
        }
    }
}
