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
/// registered with it is ready without taking any event away from NIO. NIO does not expose that
/// descriptor; ``install(on:window:)`` registers a pipe of its own on the loop and finds the one epoll
/// instance of the process that lists the pipe (`/proc/self/fdinfo`, Linux only).
///
/// Every method must be called on `loop`; reach it through the `NIOLoopBound` that `install` returns.
public final class EventLoopBusyPoller {
    private let loop: EventLoop
    private var policy: BusyPollPolicy
    /// A duplicate of the loop's epoll descriptor (so it stays valid as long as this object).
    private let selector: CInt
    /// The write end of the marker pipe; the read end belongs to `marker`, a NIO pipe channel.
    private let markerWriteEnd: CInt
    private let marker: Channel
    /// Polling tasks started so far.
    public private(set) var pollingTasks = 0
    /// Non-blocking readiness checks (`poll` calls) made so far.
    public private(set) var readinessChecks = 0
    /// Polling tasks that ended because something became ready (the rest ran out of window).
    public private(set) var readinessHits = 0

    private init(loop: EventLoop, window: Duration, selector: CInt, markerWriteEnd: CInt, marker: Channel) {
        self.loop = loop
        self.policy = BusyPollPolicy(window: window)
        self.selector = selector
        self.markerWriteEnd = markerWriteEnd
        self.marker = marker
    }

    deinit {
        Glibc.close(selector)
        Glibc.close(markerWriteEnd)
    }

    /// Sets up busy-polling for `loop` (which must be a NIO `SelectableEventLoop`, as every loop of a
    /// `MultiThreadedEventLoopGroup` is). Throws when the loop's epoll descriptor cannot be found.
    public static func install(
        on loop: EventLoop, window: Duration
    ) async throws(BusyPollStartError) -> NIOLoopBound<EventLoopBusyPoller> {
        var ends: [CInt] = [-1, -1]
        guard pipe(&ends) == 0 else { throw BusyPollStartError(reason: "pipe: \(errorText())") }
        for end in ends {
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
        }
        let marker: Channel
        do {
            marker = try await NIOPipeBootstrap(group: loop).takingOwnershipOfDescriptor(input: ends[0]).get()
        } catch {
            Glibc.close(ends[0])
            Glibc.close(ends[1])
            throw BusyPollStartError(reason: "cannot register a pipe on the event loop: \(error)")
        }
        guard let found = SelectorDescriptor.epollDescriptor(listing: ends[0]) else {
            marker.close(promise: nil)
            Glibc.close(ends[1])
            throw BusyPollStartError(reason: "cannot find the event loop's epoll descriptor in /proc/self/fdinfo")
        }
        let selector = fcntl(found, F_DUPFD_CLOEXEC, 0)
        guard selector >= 0 else {
            marker.close(promise: nil)
            Glibc.close(ends[1])
            throw BusyPollStartError(reason: "dup: \(errorText())")
        }
        let writeEnd = ends[1]
        do {
            return try await loop.submit {
                NIOLoopBound(
                    EventLoopBusyPoller(
                        loop: loop, window: window, selector: selector, markerWriteEnd: writeEnd, marker: marker),
                    eventLoop: loop)
            }.get()
        } catch {
            marker.close(promise: nil)
            Glibc.close(writeEnd)
            Glibc.close(selector)
            throw BusyPollStartError(reason: "the event loop is gone: \(error)")
        }
    }

    /// The loop handled input (call it at the end of a read batch): restarts the window and, unless a
    /// polling task is already queued or running, queues one. The task runs after the tasks queued
    /// before it (the batch's flushes), so replies are written before the loop starts polling.
    public func inputHandled() {
        guard policy.inputHandled(at: Self.monotonicNanoseconds()) else { return }
        pollingTasks += 1
        loop.assumeIsolated().execute { [self] in pollUntilReadyOrWindowPassed() }
    }

    /// Stops polling for good and releases the marker pipe's channel.
    public func close() {
        marker.close(promise: nil)
    }

    private func pollUntilReadyOrWindowPassed() {
        var descriptor = pollfd(fd: selector, events: Int16(POLLIN), revents: 0)
        while policy.shouldKeepPolling(at: Self.monotonicNanoseconds()) {
            readinessChecks += 1
            descriptor.revents = 0
            if Glibc.poll(&descriptor, 1, 0) > 0 {
                readinessHits += 1
                policy.readinessSeen()
                return
            }
        }
    }

    static func monotonicNanoseconds() -> UInt64 { NIODeadline.now().uptimeNanoseconds }

    private static func errorText() -> String { String(cString: strerror(errno)) }
}

/// Why busy-polling could not be set up.
public struct BusyPollStartError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public var reason: String

    /// Creates an error.
    public init(reason: String) { self.reason = reason }

    /// One line for people.
    public var description: String { "busy-poll: \(reason)" }
}
