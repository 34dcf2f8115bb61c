import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Ends a command whose standard output is a pipe or socket as soon as the reader goes away
/// (`dsconsole watch --serve | head -1`), like any Unix filter, with status 0 — without waiting for
/// the next line to fail with EPIPE, which on a quiet server may never come.
///
/// A thread blocks in `poll(2)` on descriptor 1 with no events requested: the kernel still reports
/// POLLERR (pipe reader closed) or POLLHUP (socket peer closed).
enum OutputClosureWatcher {
    /// How a command stops when its output closes.
    enum Stop {
        /// Deliver SIGPIPE through ``TerminationSignal`` (the command shuts down as on Ctrl-C and
        /// exits 0); if it has not exited 2 s later, exit 0 anyway.
        case gracefully
        /// Exit 0 at once (nothing to clean up, e.g. `bench`, which prints only at the end).
        case immediately
    }

    /// Starts watching if standard output is a pipe or a socket (a terminal or file never closes
    /// under us); does nothing otherwise.
    static func start(_ stop: Stop) {
        var status = stat()
        guard fstat(STDOUT_FILENO, &status) == 0 else { return }
        let type = status.st_mode & S_IFMT
        guard type == S_IFIFO || type == S_IFSOCK else { return }
        // A write racing the reader's exit must fail with EPIPE (handled in StandardStreams), not kill
        // the process with SIGPIPE (status 141 instead of 0).
        signal(SIGPIPE, SIG_IGN)
        let thread = Thread {
            waitForClosure()
            switch stop {
            case .immediately:
                _exit(0)
            case .gracefully:
                TerminationSignal.deliver(SIGPIPE)
                Thread.sleep(forTimeInterval: 2)
                _exit(0)
            }
        }
        thread.name = "dsconsole.stdout-watch"
        thread.start()
    }

    private static func waitForClosure() {
        var descriptor = pollfd(fd: STDOUT_FILENO, events: 0, revents: 0)
        while true {
            descriptor.revents = 0
            let ready = poll(&descriptor, 1, -1)
            if ready < 0 && errno == EINTR { continue }
            if ready < 0 { return }
            if descriptor.revents & Int16(POLLERR | POLLHUP | POLLNVAL) != 0 { return }
        }
    }
}
