/// When an event loop keeps polling instead of blocking: the pure half of the busy-poll (docs/broker.md,
/// "Busy-poll"), driven by monotonic nanoseconds the caller passes in, so tests need no clock.
///
/// After the loop handled input it polls for up to ``window`` more before it blocks, so an answer that
/// comes back within the window is picked up without the wake-up of a halted CPU. The window restarts
/// with every input; when it passes without input the loop blocks as usual, so an idle loop costs nothing.
/// A polling task that runs out of window (nothing came) spent its window for nothing, so the next 1, 2,
/// 4 … up to ``maximumBackoff`` inputs start no task; a task that saw input come ends the back-off. Calls
/// one at a time (the answer comes within the window) keep polling; sparse or slow traffic stops paying
/// for windows that catch nothing.
///
/// ```swift
/// var policy = BusyPollPolicy(window: .microseconds(50))
/// if policy.inputHandled(at: now) { /* queue the polling task */ }
/// while policy.shouldKeepPolling(at: clock()) { /* one non-blocking readiness check */ }
/// ```
public struct BusyPollPolicy: Sendable, Hashable {
    /// The largest window the options accept (10 ms): beyond it the loop would be a spinning thread.
    public static let maximumMicroseconds = 10_000
    /// The most inputs that start no polling task after windows that caught nothing.
    public static let maximumBackoff = PacingBackOff.maximumSkips

    /// How long the loop keeps polling after the last input, in nanoseconds (0: never).
    public let windowNanoseconds: UInt64
    /// When input was last handled (monotonic nanoseconds), nil before the first.
    public private(set) var lastInput: UInt64?
    /// Whether a polling task is queued or running (at most one at a time).
    public private(set) var isPolling = false
    /// Inputs that will start no polling task (after windows that caught nothing).
    public var skipsLeft: Int { backOff.skipsLeft }
    private var backOff = PacingBackOff()

    /// Creates a policy polling for `window` after each input (clamped to 0…``maximumMicroseconds``).
    public init(window: Duration) {
        windowNanoseconds = PacingDuration.nanoseconds(window, atMostMicroseconds: Self.maximumMicroseconds)
    }

    /// Whether the policy ever polls.
    public var isEnabled: Bool { windowNanoseconds > 0 }

    /// Records input handled at `now`. Returns true when the caller must start a polling task (the
    /// policy is enabled, none is queued or running, and it is not backing off); the policy then counts
    /// it as polling.
    public mutating func inputHandled(at now: UInt64) -> Bool {
        guard isEnabled else { return false }
        lastInput = now
        guard !isPolling, !backOff.skipsThisChance() else { return false }
        isPolling = true
        return true
    }

    /// Whether the polling task should check for readiness once more at `now` (true while `now` is
    /// within the window after the last input). False ends the polling task.
    public mutating func shouldKeepPolling(at now: UInt64) -> Bool {
        guard isPolling else { return false }
        // A time before the last input (only an injected clock can go back) counts as no time passed.
        guard let lastInput, (now >= lastInput ? now - lastInput : 0) < windowNanoseconds else {
            // The window passed with nothing ready: back off.
            isPolling = false
            backOff.failed()
            return false
        }
        return true
    }

    /// The polling task stopped because something became ready: the loop goes back to handle it,
    /// and the next input starts a new polling task. (It must not re-queue itself: the loop would run
    /// it again in the same tick, before it polls for the input that ended it.)
    public mutating func readinessSeen() {
        isPolling = false
        backOff.succeeded()
    }

    /// The window for a `--busy-poll MICROSECONDS` option: 0 (off) to ``maximumMicroseconds``, or an
    /// error with a one-line description.
    public static func window(microseconds value: Int) throws(PacingOptionError) -> Duration {
        try PacingDuration.option(
            "--busy-poll", microseconds: value, maximum: maximumMicroseconds,
            tooLong: "the loop becomes a spinning thread")
    }
}
