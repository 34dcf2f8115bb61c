/// What the busy-poll and read coalescing share: how their durations are clamped, how their options'
/// values are checked, and how they back off when their extra work pays nothing.
enum PacingDuration {
    /// `duration` in nanoseconds, clamped to 0…`maximum` microseconds.
    static func nanoseconds(_ duration: Duration, atMostMicroseconds maximum: Int) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        let nanoseconds = max(0, seconds) * 1_000_000_000 + max(0, attoseconds / 1_000_000_000)
        return UInt64(min(nanoseconds, Int64(maximum) * 1_000))
    }

    /// `microseconds` as the value of `option` (0 to `maximum`), or the error saying why not; `tooLong`
    /// ends the message for a value above `maximum` ("…, or <tooLong>").
    static func option(
        _ option: String, microseconds: Int, maximum: Int, tooLong: String
    ) throws(PacingOptionError) -> Duration {
        if microseconds < 0 {
            throw PacingOptionError(option: option, value: microseconds, problem: .negative, maximum: maximum, tooLong: tooLong)
        }
        if microseconds > maximum {
            throw PacingOptionError(option: option, value: microseconds, problem: .tooLarge, maximum: maximum, tooLong: tooLong)
        }
        return .microseconds(microseconds)
    }
}

/// Why a `--busy-poll` or `--coalesce-reads` value was refused.
public struct PacingOptionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong with the value.
    public enum Problem: Sendable, Equatable {
        /// Below zero.
        case negative
        /// Above the option's maximum.
        case tooLarge
    }

    /// The option, e.g. `--busy-poll`.
    public var option: String
    /// The value given, in microseconds.
    public var value: Int
    /// What is wrong with it.
    public var problem: Problem
    /// The largest value the option takes, in microseconds.
    public var maximum: Int
    /// What a longer value would do, ending the message for ``Problem/tooLarge``.
    public var tooLong: String

    /// One line for people.
    public var description: String {
        switch problem {
        case .negative: "\(option) must be 0 (off) or more microseconds, not \(value)"
        case .tooLarge: "\(option) \(value) is too long: at most \(maximum) µs (\(maximum / 1_000) ms), or \(tooLong)"
        }
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
