/// A wall-clock instant in nanoseconds since the Unix epoch, as carried by observation events.
///
/// Producers take it from an injected clock so tests control time; consumers subtract two of them
/// for latencies.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Nanoseconds since 1970-01-01T00:00:00Z.
    public var nanoseconds: UInt64

    /// Creates a timestamp.
    public init(nanoseconds: UInt64) { self.nanoseconds = nanoseconds }

    /// The duration from `earlier` to `self` (zero if `earlier` is later).
    public func since(_ earlier: Timestamp) -> Duration {
        nanoseconds >= earlier.nanoseconds ? .nanoseconds(Int64(nanoseconds - earlier.nanoseconds)) : .zero
    }

    /// `self` moved forward by `duration`.
    public func advanced(by duration: Duration) -> Timestamp {
        let (seconds, attoseconds) = duration.components
        let delta = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
        return Timestamp(nanoseconds: UInt64(max(0, Int64(nanoseconds) + delta)))
    }

    /// Orders by time.
    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    /// Seconds since the epoch with millisecond precision, e.g. `1764088200.123`.
    public var description: String {
        "\(nanoseconds / 1_000_000_000).\(String(nanoseconds / 1_000_000 % 1000).leftPadded(to: 3))"
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
