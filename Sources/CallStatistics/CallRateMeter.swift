import DeepstreamProtocol

/// Calls per second over a sliding window of whole seconds, fed by call start times and advanced by
/// tick actions carrying the current time (no clock reads).
package struct CallRateMeter: Hashable, Sendable {
    /// The window length in seconds.
    package let windowSeconds: Int
    // counts[i] holds the starts during second `seconds[i]`; slot = second % windowSeconds.
    private var counts: [Int]
    private var seconds: [UInt64]
    /// The latest time seen (from ticks or events).
    package private(set) var now: Timestamp?

    /// Creates a meter averaging over `windowSeconds` (at least 1).
    package init(windowSeconds: Int = 5) {
        self.windowSeconds = max(1, windowSeconds)
        counts = Array(repeating: 0, count: self.windowSeconds)
        seconds = Array(repeating: .max, count: self.windowSeconds)
    }

    /// Counts one call that started at `at`.
    package mutating func record(at: Timestamp) {
        let second = at.nanoseconds / 1_000_000_000
        let slot = Int(second % UInt64(windowSeconds))
        if seconds[slot] != second {
            seconds[slot] = second
            counts[slot] = 0
        }
        counts[slot] += 1
        if now == nil || at > now! { now = at }
    }

    /// Moves the meter's clock to `time`.
    package mutating func advance(to time: Timestamp) {
        if now == nil || time > now! { now = time }
    }

    /// Calls started per second: the starts during the current second and the `windowSeconds - 1`
    /// seconds before it, divided by `windowSeconds`.
    package var callsPerSecond: Double {
        guard let now else { return 0 }
        let current = now.nanoseconds / 1_000_000_000
        let oldest = current >= UInt64(windowSeconds - 1) ? current - UInt64(windowSeconds - 1) : 0
        var total = 0
        for slot in 0..<windowSeconds where seconds[slot] != .max && seconds[slot] >= oldest && seconds[slot] <= current {
            total += counts[slot]
        }
        return Double(total) / Double(windowSeconds)
    }

    /// The count of each of the last `windowSeconds` seconds, oldest first, ending with the current
    /// second (zero for seconds without calls): the data of a sparkline.
    package var perSecondCounts: [Int] {
        guard let now else { return Array(repeating: 0, count: windowSeconds) }
        let current = now.nanoseconds / 1_000_000_000
        return (0..<UInt64(windowSeconds)).reversed().map { back in
            guard current >= back else { return 0 }
            let second = current - back
            let slot = Int(second % UInt64(windowSeconds))
            return seconds[slot] == second ? counts[slot] : 0
        }
    }
}
