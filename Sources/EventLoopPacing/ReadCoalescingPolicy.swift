/// When an event loop naps between read batches: the pure half of read coalescing (docs/broker.md,
/// "Read coalescing"), driven by monotonic nanoseconds and readiness the caller passes in, so tests need
/// neither a clock nor sockets.
///
/// A loop that blocks in `epoll_wait` after every batch is woken once per message when messages arrive a
/// few at a time, and on a machine whose idle CPUs halt each wake-up costs tens of µs of CPU. Under
/// sustained traffic the loop instead sleeps for ``napNanoseconds`` after a batch; what arrives meanwhile
/// waits in the socket buffers (no waiter, so nobody has to wake the loop) and is read as one batch when
/// the nap ends. That is fewer, larger batches for up to one nap of added latency per hop. Three rules
/// keep the nap where it pays:
/// - **Sustained traffic only.** Naps happen while the measured rate of messages is at least
///   ``engagementRate`` per second, judged over periods of ``measurementPeriodNanoseconds``: a lone call
///   after a quiet spell is never delayed. The rate counts messages, not batches, so napping (which
///   merges batches) does not switch itself off.
/// - **Not while the loop is busy.** If something is ready when the nap would start, or the tick just
///   handled read ``busyTickMessages`` messages or more, the loop has work and next to no wake-ups to
///   save; sleeping would only cut its throughput (a loop at full load never naps).
/// - **Back off when naps merge nothing.** A nap followed by one read of at most two messages (one call at
///   a time: the provider's ACCEPT and RESPONSE to the request just forwarded) saved no wake-up and
///   delayed the reply; after such a nap the next 1, 2, 4 … up to ``maximumBackoff`` naps are skipped,
///   and a nap that merged more (reads from two connections, or three messages) ends the back-off.
///
/// ```swift
/// var policy = ReadCoalescingPolicy(nap: .microseconds(500))
/// policy.messagesRead(count)                                // per read (a connection's batch)
/// if policy.batchHandled(at: now) { /* queue one nap task */ }
/// // in the task, after the tick's IO:
/// if policy.decide(inputPending: selectorIsReady) == .nap { /* sleep napNanoseconds */ }
/// ```
public struct ReadCoalescingPolicy: Sendable, Hashable {
    /// The longest nap the options accept (10 ms): beyond it a reply would wait longer than people notice.
    public static let maximumMicroseconds = 10_000
    /// Messages per second from which naps happen unless the caller says otherwise: 2,000, well above a
    /// person clicking through an app and well below the rate at which a loop's wake-ups show in `top`.
    public static let defaultEngagementRate = 2_000
    /// How long a measurement period lasts: 20 ms, so coalescing follows a burst within a frame or two.
    public static let measurementPeriodNanoseconds: UInt64 = 20_000_000
    /// The most naps skipped after one that merged nothing (a nap in 65 while calls go one at a time).
    public static let maximumBackoff = PacingBackOff.maximumSkips
    /// A tick that read this many messages or more was a busy loop's: no nap after it.
    public static let busyTickMessages = 64

    /// What the nap task does.
    public enum Decision: Sendable, Hashable {
        /// Sleep for ``napNanoseconds``.
        case nap
        /// Skip: input is waiting, or the tick read ``busyTickMessages`` or more: the loop has work and next
        /// to no wake-ups to save.
        case loopBusy
        /// Skip: recent naps merged nothing (``maximumBackoff``).
        case backingOff
    }

    /// How long the loop naps after a batch while engaged, in nanoseconds (0: never).
    public let napNanoseconds: UInt64
    /// Messages per second at or above which the loop naps.
    public let engagementRate: Int
    /// Whether the last completed measurement period reached ``engagementRate``.
    public private(set) var isEngaged = false
    /// Whether a nap task is queued or running (at most one at a time).
    public private(set) var isNapQueued = false
    /// Naps to skip before the next one (after naps that merged nothing).
    public var skipsLeft: Int { backOff.skipsLeft }
    private var backOff = PacingBackOff()
    private var periodStart: UInt64?
    private var messagesInPeriod = 0
    private var messagesSinceDecision = 0
    private var readsSinceDecision = 0
    private var lastDecisionWasNap = false

    /// Creates a policy napping for `nap` (clamped to 0…``maximumMicroseconds``) once the message rate
    /// reaches `engagementRate` per second.
    public init(nap: Duration, engagementRate: Int = Self.defaultEngagementRate) {
        napNanoseconds = PacingDuration.nanoseconds(nap, atMostMicroseconds: Self.maximumMicroseconds)
        self.engagementRate = max(1, engagementRate)
    }

    /// Whether the policy ever naps.
    public var isEnabled: Bool { napNanoseconds > 0 }

    /// Counts `count` messages read (for the rate).
    public mutating func messagesRead(_ count: Int) {
        let count = max(0, count)
        messagesInPeriod &+= count
        messagesSinceDecision &+= count
    }

    /// Records the end of a read batch at `now`, closing the measurement period if it has lasted long
    /// enough. Returns true when the caller must queue a nap task (enabled, engaged, and none queued
    /// yet); the policy then counts one as queued until ``decide(inputPending:)``.
    public mutating func batchHandled(at now: UInt64) -> Bool {
        guard isEnabled else { return false }
        readsSinceDecision &+= 1
        guard let start = periodStart else {
            // The first batch opens the first period; what it read came before the period.
            periodStart = now
            messagesInPeriod = 0
            return false
        }
        // A time before the period's start (only an injected clock can go back) counts as no time passed.
        let elapsed = now >= start ? now - start : 0
        if elapsed >= Self.measurementPeriodNanoseconds {
            // messages / elapsed ≥ rate / 1 s, without division. A side that overflows is beyond any
            // comparison: a huge count engages, a huge elapsed time (a quiet spell of months) does not.
            let (scaled, countOverflow) = UInt64(messagesInPeriod).multipliedReportingOverflow(by: 1_000_000_000)
            let (needed, timeOverflow) = UInt64(engagementRate).multipliedReportingOverflow(by: elapsed)
            isEngaged = !timeOverflow && (countOverflow || scaled >= needed)
            periodStart = now
            messagesInPeriod = 0
            if !isEngaged {
                // Nothing read while disengaged is a nap's doing: the next nap is judged afresh.
                messagesSinceDecision = 0
                readsSinceDecision = 0
                lastDecisionWasNap = false
            }
        }
        guard isEngaged, !isNapQueued else { return false }
        isNapQueued = true
        return true
    }

    /// The nap task runs (after the IO of the tick that queued it): whether to sleep now, given whether
    /// the loop's sockets have input waiting. Ends the queued task; the next batch may queue another.
    public mutating func decide(inputPending: Bool) -> Decision {
        isNapQueued = false
        let busy = inputPending || messagesSinceDecision >= Self.busyTickMessages
        if lastDecisionWasNap {
            // What the last nap merged: what was read between it and now.
            if readsSinceDecision <= 1 && messagesSinceDecision <= 2 {
                backOff.failed()
            } else {
                backOff.succeeded()
            }
        }
        messagesSinceDecision = 0
        readsSinceDecision = 0
        lastDecisionWasNap = false
        if busy { return .loopBusy }
        if backOff.skipsThisChance() { return .backingOff }
        lastDecisionWasNap = true
        return .nap
    }

    /// The nap for a `--coalesce-reads MICROSECONDS` option: 0 (off) to ``maximumMicroseconds``, or an
    /// error with a one-line description.
    public static func nap(microseconds value: Int) throws(PacingOptionError) -> Duration {
        try PacingDuration.option(
            "--coalesce-reads", microseconds: value, maximum: maximumMicroseconds,
            tooLong: "replies would wait noticeably")
    }
}
