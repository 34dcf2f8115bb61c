import Histogram

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Latencies in microseconds, kept in an HdrHistogram with two significant digits (1 % resolution)
/// from 1 µs to 10 minutes; larger values are clamped to the top. About 11 KB, allocated once:
/// recording never allocates.
package struct LatencyHistogram: Equatable, Sendable {
    /// The largest latency kept apart, in microseconds (10 minutes).
    package static let highestMicroseconds: UInt64 = 600_000_000

    private var histogram = Histogram<UInt32>(
        lowestDiscernibleValue: 1, highestTrackableValue: LatencyHistogram.highestMicroseconds,
        numberOfSignificantValueDigits: .two
    )

    /// Creates an empty histogram.
    package init() {}

    /// How many latencies were recorded.
    package var count: UInt64 { histogram.totalCount }

    /// Records one latency.
    package mutating func record(_ latency: Duration) {
        let (seconds, attoseconds) = latency.components
        let micros = max(0, seconds) * 1_000_000 + max(0, attoseconds) / 1_000_000_000_000
        _ = histogram.record(min(UInt64(micros), Self.highestMicroseconds))
    }

    /// The latency at `percentile` (0–100) in milliseconds, nil when empty. Within 1 % of the exact
    /// value (the histogram's resolution).
    package func milliseconds(atPercentile percentile: Double) -> Double? {
        guard count > 0 else { return nil }
        return Double(histogram.valueAtPercentile(percentile)) / 1000
    }

    /// The largest recorded latency in milliseconds (to the histogram's resolution), nil when empty.
    package var maxMilliseconds: Double? {
        guard count > 0 else { return nil }
        return Double(histogram.max) / 1000
    }

    /// p50, p90, p99 and max, nil when empty.
    package var summary: LatencySummary? {
        guard count > 0, let p50 = milliseconds(atPercentile: 50), let p90 = milliseconds(atPercentile: 90),
              let p99 = milliseconds(atPercentile: 99), let max = maxMilliseconds
        else { return nil }
        return LatencySummary(p50: p50, p90: p90, p99: p99, max: max)
    }

    /// The distribution over `bucketCount` buckets of equal width on a logarithmic scale between
    /// the smallest and the largest recorded latency: the bars of a histogram drawing. Empty when
    /// nothing was recorded.
    package func distribution(bucketCount: Int) -> [LatencyBucket] {
        guard count > 0, bucketCount > 0 else { return [] }
        let low = log(Double(max(1, histogram.min)))
        let high = log(Double(max(histogram.max, histogram.min + 1)))
        let width = (high - low) / Double(bucketCount)
        var counts = Array(repeating: UInt64(0), count: bucketCount)
        for slot in histogram.recordedValues() {
            let position = (log(Double(max(1, slot.value))) - low) / width
            let index = min(bucketCount - 1, max(0, Int(position)))
            counts[index] += UInt64(slot.count)
        }
        return counts.enumerated().map { index, counted in
            LatencyBucket(upToMilliseconds: exp(low + width * Double(index + 1)) / 1000, count: counted)
        }
    }

    /// Forgets every latency.
    package mutating func reset() { histogram.reset() }
}

/// p50 / p90 / p99 / max of a latency histogram, in milliseconds.
package struct LatencySummary: Hashable, Sendable {
    /// The median.
    package var p50: Double
    /// The 90th percentile.
    package var p90: Double
    /// The 99th percentile.
    package var p99: Double
    /// The largest.
    package var max: Double
    /// Creates a summary.
    package init(p50: Double, p90: Double, p99: Double, max: Double) {
        self.p50 = p50
        self.p90 = p90
        self.p99 = p99
        self.max = max
    }
}

/// One bar of a latency distribution.
package struct LatencyBucket: Hashable, Sendable {
    /// The bucket's upper bound in milliseconds.
    package var upToMilliseconds: Double
    /// How many latencies fell into it.
    package var count: UInt64
    /// Creates a bucket.
    package init(upToMilliseconds: Double, count: UInt64) {
        self.upToMilliseconds = upToMilliseconds
        self.count = count
    }
}
