import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// The IO half of read coalescing (``ReadCoalescingPolicy`` decides): while traffic is sustained, one task
/// on the event loop sleeps for the nap after a read batch, so the messages that arrive meanwhile are read
/// together when it ends instead of each waking the loop.
///
/// The task is queued with `execute` from inside the loop, so it runs after the tick's IO and the
/// batch's flushes (replies go out before it). It first asks the loop's epoll instance whether input is
/// already waiting (``LoopSelector``; then, or after a large tick, it does not sleep), and otherwise sleeps with a plain
/// `nanosleep` on the loop's thread; the loop's next `epoll_wait` returns at once with whatever arrived.
/// Timers and tasks from other threads wait at most one nap.
///
/// Every method must be called on `loop`; reach it through the `NIOLoopBound` that `install` returns.
public final class EventLoopReadCoalescer {
    private let loop: EventLoop
    private var policy: ReadCoalescingPolicy
    private let selector: LoopSelector
    /// What the nap tasks did so far.
    public private(set) var counts = ReadCoalescingCounts()

    private init(loop: EventLoop, policy: ReadCoalescingPolicy, selector: LoopSelector) {
        self.loop = loop
        self.policy = policy
        self.selector = selector
    }

    /// Sets up read coalescing for `loop` (a NIO `SelectableEventLoop`, as every loop of a
    /// `MultiThreadedEventLoopGroup` is): naps of `nap` once the message rate reaches `engagementRate` per
    /// second. Throws when the loop's epoll descriptor cannot be found.
    public static func install(
        on loop: EventLoop, nap: Duration, engagementRate: Int = ReadCoalescingPolicy.defaultEngagementRate
    ) async throws(EventLoopPacingError) -> NIOLoopBound<EventLoopReadCoalescer> {
        let policy = ReadCoalescingPolicy(nap: nap, engagementRate: engagementRate)
        return try await LoopSelector.install(on: loop, for: "read coalescing") { selector in
            EventLoopReadCoalescer(loop: loop, policy: policy, selector: selector)
        }
    }

    /// The loop finished a read batch of `messages` messages (call it after the batch's flush): queues a
    /// nap task when the policy says so.
    public func batchHandled(messages: Int) {
        policy.messagesRead(messages)
        guard policy.batchHandled(at: NIODeadline.now().uptimeNanoseconds) else { return }
        loop.assumeIsolated().execute { [self] in napUnlessUseless() }
    }

    /// Releases the marker pipe's channel; call it when the loop stops using this coalescer (a task
    /// queued afterwards still checks the duplicate descriptor, which stays open until it is freed).
    public func close() {
        selector.close()
    }

    private func napUnlessUseless() {
        switch policy.decide(inputPending: selector.isReady()) {
        case .loopBusy:
            counts.skippedBusy += 1
        case .backingOff:
            counts.skippedBackingOff += 1
        case .nap:
            counts.naps += 1
            let nanoseconds = policy.napNanoseconds
            var request = timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
            var remaining = timespec()
            // A signal cuts the sleep short; that only shortens one nap, so it is not resumed.
            _ = nanosleep(&request, &remaining)
        }
    }
}

/// What a read coalescer's nap tasks did.
public struct ReadCoalescingCounts: Sendable, Hashable {
    /// Naps taken.
    public var naps = 0
    /// Nap tasks that did not sleep because the loop was busy (input waiting, or a large tick).
    public var skippedBusy = 0
    /// Nap tasks that did not sleep because recent naps merged nothing.
    public var skippedBackingOff = 0

    /// Creates counts (all zero by default).
    public init(naps: Int = 0, skippedBusy: Int = 0, skippedBackingOff: Int = 0) {
        self.naps = naps
        self.skippedBusy = skippedBusy
        self.skippedBackingOff = skippedBackingOff
    }
}
