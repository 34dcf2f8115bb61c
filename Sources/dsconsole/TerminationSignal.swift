import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Waits for Ctrl-C (SIGINT) or SIGTERM, so that long-running commands can shut down cleanly.
enum TerminationSignal {
    /// The signals as they arrive. Installed on first use: the default actions are replaced by
    /// dispatch sources (the signals are ignored at the process level and observed through the
    /// sources), and both signals are unblocked, in case the parent handed down a mask blocking them.
    private static let channel = AsyncStream.makeStream(of: Int32.self, bufferingPolicy: .bufferingNewest(4))

    private static let signals: AsyncStream<Int32> = {
        let (stream, continuation) = channel
        var unblock = sigset_t()
        sigemptyset(&unblock)
        sigaddset(&unblock, SIGINT)
        sigaddset(&unblock, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
        let queue = DispatchQueue(label: "dsconsole.signals")
        let sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
        retainedSources = sources
        return stream
    }()

    /// Keeps the sources alive (a released source stops delivering) for the life of the process.
    /// `nonisolated(unsafe)` is safe here: the only write happens inside the initializer of
    /// ``signals``, which Swift runs exactly once under its own lock, and nothing ever reads it.
    nonisolated(unsafe) private static var retainedSources: [any DispatchSourceSignal] = []

    /// Delivers `number` as if the signal had arrived (standard output closed: ``OutputClosureWatcher``).
    static func deliver(_ number: Int32) {
        install()
        channel.continuation.yield(number)
    }

    /// Installs the handlers now (call early, so a signal that arrives before ``wait()`` is kept).
    static func install() { _ = signals }

    /// Suspends until SIGINT or SIGTERM arrives and returns its number; `nil` when the waiting task is
    /// cancelled. Only one task may wait, once per process.
    static func wait() async -> Int32? {
        for await number in signals { return number }
        return nil
    }
}
