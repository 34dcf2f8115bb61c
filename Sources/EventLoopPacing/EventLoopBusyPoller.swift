import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// The IO half of the busy-poll (``BusyPollPolicy`` decides): after input, one task on the event loop
/// keeps checking, without blocking, whether the loop's epoll instance has anything ready, for up to the
/// window; as soon as something is ready it returns and NIO's own `epoll_wait` picks it up at once (no
/// sleep, so no wake-up of a halted CPU); when the window passes it returns and the loop blocks as usual.
///
/// Why a task that polls rather than one that re-queues itself: NIO runs the tasks queued while it runs
/// tasks in the same tick, so a self-re-queuing task would spin without NIO ever polling its sockets. The
/// check is `poll(2)` with timeout 0 on the loop's epoll descriptor, which reports whether any descriptor
/// registered with it is ready without taking any event away from NIO (``LoopSelector`` finds it).
///
/// Every method must be called on `loop`; reach it through the `NIOLoopBound` that `install` returns.
public final class EventLoopBusyPoller {
    private let loop: EventLoop
    private var policy: BusyPollPolicy
    private let selector: LoopSelector
    /// What the polling tasks did so far.
    public private(set) var counts = BusyPollCounts()

    private init(loop: EventLoop, window: Duration, selector: LoopSelector) {
        self.loop = loop
        self.policy = BusyPollPolicy(window: window)
        self.selector = selector
    }

    /// Sets up busy-polling for `loop` (which must be a NIO `SelectableEventLoop`, as every loop of a
    /// `MultiThreadedEventLoopGroup` is). Throws when the loop's epoll descriptor cannot be found.
    public static func install(
        on loop: EventLoop, window: Duration
    ) async throws(EventLoopPacingError) -> NIOLoopBound<EventLoopBusyPoller> {
        try await LoopSelector.install(on: loop, for: "busy-poll") { selector in
            EventLoopBusyPoller(loop: loop, window: window, selector: selector)
        }
    }

    /// The loop handled input (call it at the end of a read batch): restarts the window and, unless a
    /// polling task is already queued or running, queues one. The task runs after the tasks queued
    /// before it (the batch's flushes), so replies are written before the loop starts polling.
    public func inputHandled() {
        guard policy.inputHandled(at: Self.monotonicNanoseconds()) else { return }
        counts.tasks += 1
        loop.assumeIsolated().execute { [self] in pollUntilReadyOrWindowPassed() }
    }

    /// Releases the marker pipe's channel; call it when the loop stops using this poller (a task queued
    /// afterwards still polls the duplicate descriptor, which stays open until the poller is freed).
    public func close() {
        selector.close()
    }

    private func pollUntilReadyOrWindowPassed() {
        while policy.shouldKeepPolling(at: Self.monotonicNanoseconds()) {
            counts.checks += 1
            if selector.isReady() {
                counts.hits += 1
                policy.readinessSeen()
                return
            }
        }
    }

    static func monotonicNanoseconds() -> UInt64 { NIODeadline.now().uptimeNanoseconds }
}

/// What a busy-poller's polling tasks did.
public struct BusyPollCounts: Sendable, Hashable {
    /// Polling tasks started.
    public var tasks = 0
    /// Non-blocking readiness checks (`poll` calls) made.
    public var checks = 0
    /// Polling tasks that ended because something became ready (the rest ran out of window).
    public var hits = 0

    /// Creates counts (all zero by default).
    public init(tasks: Int = 0, checks: Int = 0, hits: Int = 0) {
        self.tasks = tasks
        self.checks = checks
        self.hits = hits
    }

    /// The sum of two pollers' counts.
    public static func + (left: Self, right: Self) -> Self {
        Self(tasks: left.tasks + right.tasks, checks: left.checks + right.checks, hits: left.hits + right.hits)
    }
}
