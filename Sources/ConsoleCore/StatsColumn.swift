import CallStatistics

/// A column of the Stats view; each can be the sort key.
package enum StatsColumn: String, CaseIterable, Hashable, Sendable {
    /// The RPC name.
    case name = "NAME"
    /// Calls ended.
    case calls = "CALLS"
    /// Calls ended per second over the last 5 s.
    case rate = "/S"
    /// Calls answered.
    case ok = "OK"
    /// REQUEST_ERROR answers.
    case requestError = "REQ-ERR"
    /// NO_RPC_PROVIDER.
    case noProvider = "NO-PROV"
    /// ACCEPT_TIMEOUT.
    case acceptTimeout = "ACC-T/O"
    /// RESPONSE_TIMEOUT.
    case responseTimeout = "RSP-T/O"
    /// Calls that were rejected and routed again.
    case rerouted = "REROUTE"
    /// Other failures (denied, abandoned, …).
    case other = "OTHER"
    /// Accept latency p50.
    case acceptP50 = "ACC p50"
    /// Accept latency p99.
    case acceptP99 = "ACC p99"
    /// Total latency p50.
    case p50 = "p50"
    /// Total latency p90.
    case p90 = "p90"
    /// Total latency p99.
    case p99 = "p99"
    /// Total latency max.
    case max = "MAX"

    /// The column's width in characters (the name column takes what is left).
    var width: Int {
        switch self {
        case .name: 0
        case .calls: 8
        case .rate: 7
        case .ok: 8
        case .requestError, .noProvider, .acceptTimeout, .responseTimeout, .rerouted, .other: 7
        case .acceptP50, .acceptP99, .p50, .p90, .p99, .max: 8
        }
    }

    /// Which columns go first when the terminal is narrow (lower goes earlier); the name never goes.
    var dropOrder: Int {
        switch self {
        case .name: Int.max
        case .calls: 100
        case .p99: 95
        case .rate: 90
        case .ok: 85
        case .p50: 80
        case .requestError: 70
        case .noProvider: 65
        case .max: 60
        case .acceptTimeout: 55
        case .responseTimeout: 50
        case .acceptP50: 40
        case .p90: 35
        case .rerouted: 30
        case .acceptP99: 25
        case .other: 20
        }
    }

    /// Whether larger values sort first by default (counts and latencies), or smaller (the name).
    var sortsDescending: Bool { self != .name }

    /// The sort value of a row (latencies in ms, -1 when there is none).
    func value(_ counts: CallCounts) -> Double {
        switch self {
        case .name: 0
        case .calls: Double(counts.calls)
        case .rate: counts.callsPerSecond
        case .ok: Double(counts.ok)
        case .requestError: Double(counts.errors(.requestError))
        case .noProvider: Double(counts.errors(.noProvider))
        case .acceptTimeout: Double(counts.errors(.acceptTimeout))
        case .responseTimeout: Double(counts.errors(.responseTimeout))
        case .rerouted: Double(counts.rerouted)
        case .other: Double(counts.errors(.denied) + counts.errors(.other))
        case .acceptP50: counts.acceptLatency.milliseconds(atPercentile: 50) ?? -1
        case .acceptP99: counts.acceptLatency.milliseconds(atPercentile: 99) ?? -1
        case .p50: counts.totalLatency.milliseconds(atPercentile: 50) ?? -1
        case .p90: counts.totalLatency.milliseconds(atPercentile: 90) ?? -1
        case .p99: counts.totalLatency.milliseconds(atPercentile: 99) ?? -1
        case .max: counts.totalLatency.maxMilliseconds ?? -1
        }
    }

    /// The cell text of a row.
    func text(_ counts: CallCounts) -> String {
        switch self {
        case .name: ""
        case .rate: DisplayFormat.rate(counts.callsPerSecond)
        case .acceptP50, .acceptP99, .p50, .p90, .p99, .max:
            value(counts) < 0 ? "-" : StatsColumn.milliseconds(value(counts))
        default:
            String(Int(value(counts)))
        }
    }

    /// `0.42ms`, `12.3ms`, `1.25s`.
    static func milliseconds(_ value: Double) -> String {
        DisplayFormat.latency(.microseconds(Int64((value * 1000).rounded())))
    }
}
