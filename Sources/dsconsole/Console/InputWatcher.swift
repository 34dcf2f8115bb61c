import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Wakes the console's loop when standard input has bytes (or hung up), from a thread of its own
/// blocked in `poll(2)`; ncurses itself is only ever called by the loop.
///
/// After each wake-up the thread waits until the loop has drained the keys (``keysDrained()``), so a
/// readable descriptor is reported once, not in a spin.
final class InputWatcher: Sendable {
    private let descriptor: Int32
    private let drained = DispatchSemaphore(value: 0)
    private let stopped = Atomic<Bool>(false)

    /// A watcher for `descriptor`; call ``start(onReadable:)`` to begin.
    init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// Starts the thread; `onReadable` is called from it each time keys wait.
    func start(onReadable: @escaping @Sendable () -> Void) {
        let thread = Thread { [self] in
            var request = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            while !stopped.load(ordering: .acquiring) {
                request.revents = 0
                // A bounded wait so stop() is noticed without a wake-up pipe.
                let ready = poll(&request, 1, 200)
                guard ready > 0 else { continue }
                onReadable()
                drained.wait()
            }
        }
        thread.name = "dsconsole-input"
        thread.start()
    }

    /// The loop has read every waiting key; watch again.
    func keysDrained() {
        drained.signal()
    }

    /// Ends the thread (within 200 ms).
    func stop() {
        stopped.store(true, ordering: .releasing)
        drained.signal()
    }
}
