import CallStatistics
import DeepstreamProtocol

/// The numbers on the status line.
package struct ConsoleStats: Hashable, Sendable {
    /// Calls started per second.
    package var rate: CallRateMeter
    /// Calls in the log that have not ended.
    package var inFlight = 0
    /// Calls that ended badly (REQUEST_ERROR, NO_RPC_PROVIDER, timeouts, …).
    package var callErrors = 0
    /// Engine errors not tied to a call (HEARTBEAT_TIMEOUT, …).
    package var engineErrors = 0
    /// Events the engine dropped because the console fell behind.
    package var droppedEvents = 0

    /// Creates zeroed stats.
    package init(rateWindowSeconds: Int) {
        rate = CallRateMeter(windowSeconds: rateWindowSeconds)
    }

    /// The errors shown on the status line: failed calls.
    /// Only calls: connection problems are notices (and in the message log), not call errors, so the
    /// number equals the matches of `state:error` over the counted calls still in the log.
    package var errors: Int { callErrors }
}
