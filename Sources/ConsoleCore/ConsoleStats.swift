import CallStatistics
import DeepstreamProtocol

/// The numbers on the status line.
public struct ConsoleStats: Hashable, Sendable {
    /// Calls started per second.
    public var rate: CallRateMeter
    /// Calls in the log that have not ended.
    public var inFlight = 0
    /// Calls that ended badly (REQUEST_ERROR, NO_RPC_PROVIDER, timeouts, …).
    public var callErrors = 0
    /// Engine errors not tied to a call (HEARTBEAT_TIMEOUT, …).
    public var engineErrors = 0
    /// Events the engine dropped because the console fell behind.
    public var droppedEvents = 0

    /// Creates zeroed stats.
    public init(rateWindowSeconds: Int) {
        rate = CallRateMeter(windowSeconds: rateWindowSeconds)
    }

    /// The errors shown on the status line: failed calls.
    /// Only calls: connection problems are notices (and in the message log), not call errors, so the
    /// number equals the matches of `state:error` over the counted calls still in the log.
    public var errors: Int { callErrors }
}
