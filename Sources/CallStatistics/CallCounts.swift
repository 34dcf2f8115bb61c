import DeepstreamProtocol

/// Counters and latencies shared by an RPC's row and its per-provider rows.
package struct CallCounts: Equatable, Sendable {
    /// Calls that ended.
    package private(set) var calls = 0
    /// Calls answered with a RESPONSE.
    package private(set) var ok = 0
    /// Failed calls by kind (indexed like ``CallOutcomeKind/errors``; never holds `.ok`).
    private var errorCounts = Array(repeating: 0, count: CallOutcomeKind.errors.count)
    /// Calls that a provider rejected and that were routed again (or failed for lack of another).
    package private(set) var rerouted = 0
    /// From request to first accept.
    package private(set) var acceptLatency = LatencyHistogram()
    /// From request to end.
    package private(set) var totalLatency = LatencyHistogram()
    /// Calls ended per second over the last minute.
    package private(set) var rate = CallRateMeter(windowSeconds: 60)

    /// Creates empty counts.
    package init() {}

    /// Failed calls of `kind` (0 for `.ok`).
    package func errors(_ kind: CallOutcomeKind) -> Int {
        CallOutcomeKind.errors.firstIndex(of: kind).map { errorCounts[$0] } ?? 0
    }

    /// All failed calls.
    package var failed: Int { calls - ok }

    /// Adds one finished call. O(1), no allocation.
    package mutating func record(_ call: FinishedCall) {
        calls += 1
        if call.outcome == .ok {
            ok += 1
        } else if let index = CallOutcomeKind.errors.firstIndex(of: call.outcome) {
            errorCounts[index] += 1
        }
        if call.wasRerouted { rerouted += 1 }
        if let accept = call.acceptLatency { acceptLatency.record(accept) }
        totalLatency.record(call.totalLatency)
        rate.record(at: call.endedAt)
    }

    /// Moves the per-second window to `time` (calls/s decays when nothing ends).
    package mutating func advance(to time: DeepstreamProtocol.Timestamp) { rate.advance(to: time) }

    /// Calls ended per second over the last 5 seconds.
    package var callsPerSecond: Double {
        let recent = rate.perSecondCounts.suffix(5)
        return Double(recent.reduce(0, +)) / Double(recent.count)
    }
}
