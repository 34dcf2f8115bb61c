import CallStatistics
import DeepstreamClient
import DeepstreamProtocol

/// `watch --stats`: folds every call into ``RPCStatistics`` and prints one `{"event":"stats",…}`
/// JSON Lines object per interval (and a last one when the watch ends) instead of one line per event.
final class StatsLines: Sendable {
    private struct State: Sendable {
        var tracker = CallTracker()
        var statistics = RPCStatistics()
    }

    private let state = Locked(State())
    private let interval: Duration

    /// Creates a collector printing every `interval`.
    init(interval: Duration) { self.interval = interval }

    /// Counts a broker tap or proxy event.
    func observe(_ event: TrafficEvent) {
        state.withLock { state in
            if let finished = state.tracker.observe(event) { state.statistics.record(finished) }
        }
    }

    /// Counts an engine event (its own calls, its served calls, and relayed traffic).
    func observe(_ event: EngineEvent) {
        switch event {
        case .outgoingCall(let call), .servedCall(let call, _):
            state.withLock { state in
                if let finished = state.tracker.observe(call) { state.statistics.record(finished) }
            }
        case .traffic(let traffic):
            observe(traffic)
        default:
            break
        }
    }

    /// Prints a stats line every interval until cancelled, then a final one.
    func run() async {
        while (try? await Task.sleep(for: interval)) != nil { printLine() }
        printLine()
    }

    /// The stats object for `now`.
    func object(at now: Timestamp) -> JSONValue {
        state.withLock { state in
            state.statistics.advance(to: now)
            var object = state.statistics.report(at: now)
            object["openCalls"] = .int(state.tracker.openCalls)
            return .object(object)
        }
    }

    private func printLine() { StandardStreams.printLine(object(at: ClientEngine.wallClock()).jsonText) }
}
