import Synchronization

/// A clock for tests whose time moves only when the test calls ``advance(by:)``.
///
/// Sleepers wake deterministically: ``advance(by:)`` resumes every sleeper whose deadline it reaches,
/// earliest first, and nothing wakes otherwise. A sleep whose deadline has already passed returns at
/// once; cancelling a sleeper ends its sleep with `CancellationError`. ``sleepers`` and
/// ``waitForSleepers(_:)`` let a test wait until the code under test is parked on the clock before it
/// moves time.
public final class ManualClock: Clock, Sendable {
    /// A point in manual time: the offset from the clock's start.
    public struct Instant: InstantProtocol, CustomStringConvertible {
        /// Time since the clock's start.
        public var offset: Duration

        /// Creates an instant at `offset` from the start.
        public init(offset: Duration) { self.offset = offset }

        public func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        public func duration(to other: Instant) -> Duration { other.offset - offset }
        public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
        public var description: String { "\(offset)" }
    }

    private struct Sleeper {
        var deadline: Instant
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now = Instant(offset: .zero)
        var sleepers: [UInt64: Sleeper] = [:]
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())

    /// Creates a clock at offset zero.
    public init() {}

    /// The current manual time.
    public var now: Instant { state.withLock { $0.now } }

    /// Time advances only by ``advance(by:)``; any resolution is exact.
    public var minimumResolution: Duration { .nanoseconds(1) }

    /// The number of tasks sleeping on this clock now.
    public var sleepers: Int { state.withLock { $0.sleepers.count } }

    /// The earliest deadline a sleeper waits for, if any.
    public var nextDeadline: Instant? { state.withLock { $0.sleepers.values.map(\.deadline).min() } }

    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        let id = state.withLock { s in
            s.nextID += 1
            return s.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome: Result<Void, any Error>? = state.withLock { s in
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if deadline <= s.now { return .success(()) }
                    s.sleepers[id] = Sleeper(deadline: deadline, continuation: continuation)
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            state.withLock { $0.sleepers.removeValue(forKey: id) }?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves time forward by `duration` and wakes every sleeper whose deadline is reached, earliest
    /// first.
    public func advance(by duration: Duration) {
        let woken = state.withLock { s in
            s.now = s.now.advanced(by: duration)
            let now = s.now
            let due = s.sleepers.filter { $0.value.deadline <= now }
                .sorted { ($0.value.deadline, $0.key) < ($1.value.deadline, $1.key) }
            for (id, _) in due { s.sleepers[id] = nil }
            return due.map(\.value.continuation)
        }
        for continuation in woken { continuation.resume() }
    }

    /// Moves time to the earliest sleeper's deadline (if any sleeper is later than now) and wakes it.
    /// Returns the distance moved, `nil` when nobody sleeps.
    @discardableResult
    public func advanceToNextDeadline() -> Duration? {
        guard let next = nextDeadline else { return nil }
        let step = max(.zero, now.duration(to: next))
        advance(by: step)
        return step
    }

    /// Waits (yielding, in real time, at most `timeout`) until at least `count` tasks sleep on the
    /// clock; returns whether they do. This is synchronisation on an observable condition, not a
    /// guess at how long the code under test needs.
    @discardableResult
    public func waitForSleepers(_ count: Int = 1, timeout: Duration = .seconds(5)) async -> Bool {
        let limit = ContinuousClock.now + timeout
        while sleepers < count {
            if ContinuousClock.now >= limit { return false }
            try? await Task.sleep(for: .milliseconds(1))
        }
        return true
    }
}
