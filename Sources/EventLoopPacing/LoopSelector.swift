import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// A NIO event loop's epoll instance, found and held so that a task on the loop can ask whether anything
/// is ready without taking the event away from NIO: `poll(2)` with timeout 0 on an epoll descriptor
/// reports whether any descriptor registered with it is ready. Used by the busy-poll (to stop polling)
/// and by read coalescing (not to nap while input waits).
///
/// NIO does not expose the descriptor. ``find(on:for:)`` registers a pipe of its own on the loop and
/// finds the one epoll instance of the process that lists the pipe (`/proc/self/fdinfo`, Linux only).
final class LoopSelector: Sendable {
    /// A duplicate of the loop's epoll descriptor (so it stays valid as long as this object).
    let descriptor: CInt
    /// The write end of the marker pipe; the read end belongs to `marker`, a NIO pipe channel.
    private let markerWriteEnd: CInt
    private let marker: Channel

    private init(descriptor: CInt, markerWriteEnd: CInt, marker: Channel) {
        self.descriptor = descriptor
        self.markerWriteEnd = markerWriteEnd
        self.marker = marker
    }

    deinit {
        Glibc.close(descriptor)
        Glibc.close(markerWriteEnd)
    }

    /// Finds the epoll instance of `loop` (a NIO `SelectableEventLoop`, as every loop of a
    /// `MultiThreadedEventLoopGroup` is). `feature` names the caller in the error.
    static func find(on loop: EventLoop, for feature: String) async throws(EventLoopPacingError) -> LoopSelector {
        func failure(_ reason: String) -> EventLoopPacingError { EventLoopPacingError(feature: feature, reason: reason) }
        var ends: [CInt] = [-1, -1]
        guard pipe(&ends) == 0 else { throw failure("pipe: \(errorText())") }
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
            throw failure("cannot register a pipe on the event loop: \(error)")
        }
        guard let found = SelectorDescriptor.epollDescriptor(listing: ends[0]) else {
            marker.close(promise: nil)
            Glibc.close(ends[1])
            throw failure("cannot find the event loop's epoll descriptor in /proc/self/fdinfo")
        }
        let selector = fcntl(found, F_DUPFD_CLOEXEC, 0)
        guard selector >= 0 else {
            marker.close(promise: nil)
            Glibc.close(ends[1])
            throw failure("dup: \(errorText())")
        }
        return LoopSelector(descriptor: selector, markerWriteEnd: ends[1], marker: marker)
    }

    /// Finds `loop`'s epoll instance and builds a pacer around it on the loop (`make` runs there).
    static func install<Pacer>(
        on loop: EventLoop, for feature: String, _ make: @escaping @Sendable (LoopSelector) -> Pacer
    ) async throws(EventLoopPacingError) -> NIOLoopBound<Pacer> {
        let selector = try await find(on: loop, for: feature)
        do {
            return try await loop.submit { NIOLoopBound(make(selector), eventLoop: loop) }.get()
        } catch {
            selector.close()
            throw EventLoopPacingError(feature: feature, reason: "the event loop is gone: \(error)")
        }
    }

    /// Whether any descriptor registered with the loop is ready now (one `poll` with timeout 0).
    func isReady() -> Bool {
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        return Glibc.poll(&entry, 1, 0) > 0
    }

    /// Releases the marker pipe's channel.
    func close() {
        marker.close(promise: nil)
    }

    private static func errorText() -> String { String(cString: strerror(errno)) }
}

/// Why busy-polling or read coalescing could not be set up.
public struct EventLoopPacingError: Error, Sendable, CustomStringConvertible {
    /// `busy-poll` or `read coalescing`.
    public var feature: String
    /// What went wrong.
    public var reason: String

    /// Creates an error.
    public init(feature: String, reason: String) {
        self.feature = feature
        self.reason = reason
    }

    /// One line for people.
    public var description: String { "\(feature): \(reason)" }
}
