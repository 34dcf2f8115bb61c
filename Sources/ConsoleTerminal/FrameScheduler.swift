/// Decides when to draw: only when something changed, and at most `framesPerSecond` times a second.
///
/// Pure: the caller passes the current time, so tests step time instead of sleeping. The event loop
/// marks the scheduler dirty when state changes, waits at most `delayUntilNextFrame(at:)` for more
/// input, and draws when `isFrameDue(at:)`, then calls `recordFrame(at:)`.
package struct FrameScheduler<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    /// The shortest time between two frames.
    package let minimumInterval: Duration
    /// Whether something changed since the last frame.
    package private(set) var isDirty: Bool
    /// When the last frame was drawn; nil before the first.
    package private(set) var lastFrame: Instant?
    /// Whether the next frame is due at once, whatever the minimum interval (see ``markUrgent()``).
    package private(set) var isUrgent = false

    /// A scheduler allowing at most `framesPerSecond` (at least 1) frames a second, initially dirty
    /// so the first frame is drawn at once.
    package init(framesPerSecond: Int = 30) {
        let rate = max(framesPerSecond, 1)
        self.minimumInterval = .nanoseconds(1_000_000_000 / Int64(rate))
        self.isDirty = true
        self.lastFrame = nil
    }

    /// Notes that the screen no longer shows the current state.
    package mutating func markDirty() {
        isDirty = true
    }

    /// Notes that the screen no longer shows the current state and that someone waits for it: a key
    /// was pressed. The next frame is due at once, even within the minimum interval, so key-to-screen
    /// latency does not include up to one frame interval of waiting (issue 15). Keys come at human
    /// rates, so this cannot raise the frame rate much.
    package mutating func markUrgent() {
        isDirty = true
        isUrgent = true
    }

    /// Whether a frame should be drawn now: dirty, and the minimum interval has passed (or urgent).
    package func isFrameDue(at now: Instant) -> Bool {
        delayUntilNextFrame(at: now) == .zero
    }

    /// How long to wait before the next frame is due: nil when nothing needs drawing (wait for
    /// input as long as you like), zero when a frame is due now.
    package func delayUntilNextFrame(at now: Instant) -> Duration? {
        guard isDirty else { return nil }
        guard let lastFrame, !isUrgent else { return .zero }
        let elapsed = lastFrame.duration(to: now)
        return elapsed >= minimumInterval ? .zero : minimumInterval - elapsed
    }

    /// Notes that a frame showing the current state was drawn at `now`.
    package mutating func recordFrame(at now: Instant) {
        isDirty = false
        isUrgent = false
        lastFrame = now
    }

    /// Records a frame and returns true when one is due at `now`; otherwise changes nothing and
    /// returns false. Shorthand for `isFrameDue(at:)` followed by `recordFrame(at:)`.
    package mutating func beginFrameIfDue(at now: Instant) -> Bool {
        guard isFrameDue(at: now) else { return false }
        recordFrame(at: now)
        return true
    }
}
