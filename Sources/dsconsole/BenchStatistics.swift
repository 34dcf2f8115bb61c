import DeepstreamProtocol
import Histogram

/// What a bench run measured: latencies of successful calls (HdrHistogram, microseconds, three
/// significant digits) and failures by kind. Value type; merge per-worker copies with ``merge(_:)``.
struct BenchStatistics: Sendable {
    /// Latencies of successful calls in microseconds.
    private(set) var latencies = Histogram<UInt64>(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
    /// Successful calls.
    private(set) var succeeded = 0
    /// Failed calls by error kind (`NO_RPC_PROVIDER`, `timeout`, `mismatch`, …).
    private(set) var failures: [String: Int] = [:]
    /// Calls not started because `--inflight` calls were already waiting (open loop with `--rate` only).
    private(set) var skipped = 0

    /// Every finished call, successful or not.
    var completed: Int { succeeded + failures.values.reduce(0, +) }

    /// Records a successful call.
    mutating func recordSuccess(latency: Duration) {
        let (seconds, attoseconds) = latency.components
        let microseconds = max(0, seconds * 1_000_000 + attoseconds / 1_000_000_000_000)
        _ = latencies.record(UInt64(min(microseconds, 3_600_000_000)))
        succeeded += 1
    }

    /// Records a failed call.
    mutating func recordFailure(kind: String) { failures[kind, default: 0] += 1 }

    /// Records a call that was not started.
    mutating func recordSkipped() { skipped += 1 }

    /// Adds another run's numbers.
    mutating func merge(_ other: BenchStatistics) {
        latencies.add(other.latencies)
        succeeded += other.succeeded
        skipped += other.skipped
        for (kind, count) in other.failures { failures[kind, default: 0] += count }
    }

    /// Latency at `percentile` (0…100) in milliseconds; 0 without data.
    func latencyMilliseconds(atPercentile percentile: Double) -> Double {
        succeeded == 0 ? 0 : Double(latencies.valueAtPercentile(percentile)) / 1000
    }

    /// The largest latency in milliseconds; 0 without data.
    var maxLatencyMilliseconds: Double { succeeded == 0 ? 0 : Double(latencies.max) / 1000 }

    /// The live progress line, e.g. `3.0 s  12345 calls  4115/s  p50 0.41 ms  p99 1.20 ms  errors 0`.
    func progressLine(elapsed: Duration) -> String {
        let seconds = Self.seconds(elapsed)
        let rate = seconds > 0 ? Double(completed) / seconds : 0
        return "\(Self.format(seconds, 1)) s  \(completed) calls  \(Self.format(rate, 0))/s  "
            + "p50 \(Self.format(latencyMilliseconds(atPercentile: 50), 2)) ms  "
            + "p99 \(Self.format(latencyMilliseconds(atPercentile: 99), 2)) ms  errors \(completed - succeeded)"
    }

    /// The final report as JSON (`--json`).
    func report(settings: JSONObject, elapsed: Duration) -> JSONValue {
        let seconds = Self.seconds(elapsed)
        var o = settings
        o["elapsedSeconds"] = .double(Self.rounded(seconds, 3))
        o["calls"] = .int(completed)
        o["ok"] = .int(succeeded)
        o["failed"] = .int(completed - succeeded)
        o["skipped"] = .int(skipped)
        o["errors"] = .object(JSONObject(failures.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.int($0.value)) }))
        o["throughputPerSecond"] = .double(Self.rounded(seconds > 0 ? Double(completed) / seconds : 0, 1))
        // No successful call, no latency: null rather than zeros that look like a measurement.
        guard succeeded > 0 else {
            o["latencyMs"] = .null
            return .object(o)
        }
        o["latencyMs"] = .object(JSONObject([
            ("p50", .double(Self.rounded(latencyMilliseconds(atPercentile: 50), 3))),
            ("p90", .double(Self.rounded(latencyMilliseconds(atPercentile: 90), 3))),
            ("p99", .double(Self.rounded(latencyMilliseconds(atPercentile: 99), 3))),
            ("p99.9", .double(Self.rounded(latencyMilliseconds(atPercentile: 99.9), 3))),
            ("max", .double(Self.rounded(maxLatencyMilliseconds, 3))),
            ("mean", .double(Self.rounded(succeeded == 0 ? 0 : latencies.mean / 1000, 3))),
        ]))
        return .object(o)
    }

    /// The final report for people.
    func reportText(header: String, elapsed: Duration) -> String {
        let seconds = Self.seconds(elapsed)
        var lines = [header]
        lines.append("calls       \(completed) (ok \(succeeded), failed \(completed - succeeded)\(skipped > 0 ? ", skipped \(skipped)" : ""))")
        lines.append("elapsed     \(Self.format(seconds, 3)) s")
        lines.append("throughput  \(Self.format(seconds > 0 ? Double(completed) / seconds : 0, 1)) calls/s")
        let percentiles: [(String, Double)] = [("p50", 50), ("p90", 90), ("p99", 99), ("p99.9", 99.9)]
        let latency = percentiles.map { "\($0.0) \(Self.format(latencyMilliseconds(atPercentile: $0.1), 3))" }
            + ["max \(Self.format(maxLatencyMilliseconds, 3))"]
        // Without a successful call there is no latency to report (not "p50 0.000").
        lines.append(succeeded == 0 ? "latency ms  none (no call succeeded)" : "latency ms  " + latency.joined(separator: "  "))
        if failures.isEmpty {
            lines.append("errors      none")
        } else {
            lines.append("errors      " + failures.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        return lines.joined(separator: "\n")
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    private static func rounded(_ value: Double, _ digits: Int) -> Double {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        return (value * scale).rounded() / scale
    }

    /// Fixed-point text without Foundation.
    static func format(_ value: Double, _ digits: Int) -> String {
        guard value.isFinite else { return "\(value)" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = Int64((abs(value) * scale).rounded())
        let sign = value < 0 && scaled != 0 ? "-" : ""
        guard digits > 0 else { return sign + String(scaled) }
        let whole = scaled / Int64(scale)
        var fraction = String(scaled % Int64(scale))
        while fraction.count < digits { fraction = "0" + fraction }
        return "\(sign)\(whole).\(fraction)"
    }
}
