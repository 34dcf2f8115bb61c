/// What the busy-poll and read coalescing share: how their durations are clamped, how their options'
/// values are checked, and how they back off when their extra work pays nothing.
enum PacingDuration {
    /// Why an option value in microseconds is out of range.
    enum RangeProblem {
        case negative
        case tooLarge
    }

    /// `duration` in nanoseconds, clamped to 0…`maximum` microseconds.
    static func nanoseconds(_ duration: Duration, atMostMicroseconds maximum: Int) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        let nanoseconds = max(0, seconds) * 1_000_000_000 + max(0, attoseconds / 1_000_000_000)
        return UInt64(min(nanoseconds, Int64(maximum) * 1_000))
    }

    /// What is wrong with `microseconds` as an option value from 0 to `maximum`, or nil when nothing is.
    static func problem(microseconds: Int, maximum: Int) -> RangeProblem? {
        if microseconds < 0 { return .negative }
        if microseconds > maximum { return .tooLarge }
        return nil
    }
}

/// An exponential back-off counted in chances: after a failure the next 1, 2, 4 … ``maximumSkips``
/// chances are skipped; a success ends it at once (like an adaptive mutex's spin count).
struct PacingBackOff: Hashable, Sendable {
    /// The most chances skipped after one failure.
    static let maximumSkips = 64
    /// Chances still to skip.
    private(set) var skipsLeft = 0
    private var step = 0

    /// The extra work was done and paid nothing: skip twice as many chances as last time.
    mutating func failed() {
        step = min(max(1, step * 2), Self.maximumSkips)
        skipsLeft = step
    }

    /// The extra work paid: no more skipping.
    mutating func succeeded() {
        step = 0
        skipsLeft = 0
    }

    /// Whether this chance is skipped (counting it).
    mutating func skipsThisChance() -> Bool {
        guard skipsLeft > 0 else { return false }
        skipsLeft -= 1
        return true
    }
}
