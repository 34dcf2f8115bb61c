#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Puts the terminal back (original tty modes, cursor visible, normal screen) when the process
/// dies while ncurses runs: on SIGINT, SIGTERM, SIGHUP or SIGQUIT, on a crash signal, or on `exit()`.
///
/// ncurses' `endwin` is not async-signal-safe, so the restorer prepares everything in advance:
/// the tty modes saved before ncurses starts and the terminfo strings that undo its output
/// (`sgr0`, `cnorm`, `rmkx`, `rmcup`). The handler only loads atomics, calls `write`,
/// `tcsetattr`, `sigaction` and `raise`, all async-signal-safe. It then hands the signal on to
/// whatever was installed before: termination signals end the process as they would have,
/// and crashes reach the default action or Swift's backtracer with their original context.
struct TerminalRestorer: ~Copyable {
    /// Signals that end the process; left alone when ignored (for example under nohup).
    static let terminationSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]
    /// Signals of a crash.
    static let crashSignals: [Int32] = [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP]

    private var installedSignals: [Int32] = []

    /// Saves the tty modes of `descriptor`, arms the restore, and installs the signal handlers
    /// when `installsSignalHandlers` is true. Call before ncurses changes the terminal, and from
    /// one thread at a time (the owning `NcursesScreen` guarantees one active instance).
    init(descriptor: Int32, installsSignalHandlers: Bool) {
        let record = restoreRecord
        restoreArmed.store(false, ordering: .sequentiallyConsistent)
        restoreSequenceCount.store(0, ordering: .sequentiallyConsistent)
        record.pointee.descriptor = descriptor
        record.pointee.hasModes = tcgetattr(descriptor, &record.pointee.modes) == 0
        restoreArmed.store(true, ordering: .releasing)
        if atexitRegistered.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged {
            atexit(restoreTerminalAtExit)
        }
        guard installsSignalHandlers else { return }
        for signal in Self.terminationSignals + Self.crashSignals {
            var current = sigaction()
            guard sigaction(signal, nil, &current) == 0 else { continue }
            if Self.terminationSignals.contains(signal) && Self.isIgnored(current) { continue }
            record.pointee.previousActions[Int(signal)] = current
            var action = sigaction()
            action.__sigaction_handler.sa_sigaction = handleSignal
            action.sa_flags = SA_SIGINFO | SA_ONSTACK
            sigemptyset(&action.sa_mask)
            for blocked in Self.terminationSignals {
                sigaddset(&action.sa_mask, blocked)
            }
            if sigaction(signal, &action, nil) == 0 {
                installedSignals.append(signal)
            }
        }
    }

    /// Sets the bytes written to the terminal on restore. Call once, after ncurses has loaded the
    /// terminal description; longer sequences are truncated to the fixed buffer.
    func setRestoreSequence(_ bytes: [UInt8]) {
        let count = min(bytes.count, restoreSequenceCapacity)
        // The count is 0 since init, so a handler running now writes nothing rather than half a copy.
        let sequence = restoreRecord.pointee.sequence
        for index in 0..<count {
            sequence[index] = bytes[index]
        }
        restoreSequenceCount.store(count, ordering: .releasing)
    }

    /// Stops restoring (ncurses has restored the terminal itself) and reinstalls the previous
    /// signal actions.
    consuming func disarm() {
        restoreArmed.store(false, ordering: .sequentiallyConsistent)
        for signal in installedSignals {
            _ = sigaction(signal, &restoreRecord.pointee.previousActions[Int(signal)], nil)
        }
        installedSignals = []
    }

    /// The terminfo strings that undo ncurses' output, with padding delays removed. Valid only
    /// while an ncurses screen is current.
    static func restoreSequence(capability: (String) -> [UInt8]?) -> [UInt8] {
        // Bracketed paste off first (the console turned it on; no terminfo capability names it).
        var bytes: [UInt8] = Array(NcursesScreen.bracketedPasteOff.utf8)
        for name in ["sgr0", "cnorm", "rmkx", "rmcup"] {
            guard let value = capability(name) else { continue }
            bytes += withoutPadding(value)
        }
        return bytes
    }

    /// Removes terminfo padding specifications (`$<5>`, `$<2*/>`), which only tputs understands.
    static func withoutPadding(_ bytes: [UInt8]) -> [UInt8] {
        var result: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "$"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "<"),
                let close = bytes[(index + 2)...].firstIndex(of: UInt8(ascii: ">"))
            {
                index = close + 1
            } else {
                result.append(bytes[index])
                index += 1
            }
        }
        return result
    }

    private static func isIgnored(_ action: sigaction) -> Bool {
        guard action.sa_flags & SA_SIGINFO == 0 else { return false }
        return unsafeBitCast(action.__sigaction_handler.sa_handler, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self)
    }
}

/// Everything the signal handler reads, prepared outside it.
private struct RestoreRecord {
    var descriptor: Int32 = -1
    var modes = termios()
    var hasModes = false
    var sequence: UnsafeMutablePointer<UInt8>
    var previousActions: UnsafeMutablePointer<sigaction>
}

private let restoreSequenceCapacity = 256
private let signalSlots = 65

// Safe to share without isolation: the pointer itself never changes (a `let`, allocated once and
// never freed, so a signal handler can never see it dangle). The memory it points to is written
// only by TerminalRestorer.init/setRestoreSequence/disarm, which run on the thread owning the one
// active NcursesScreen, and the fields a handler reads are published through the atomics below:
// `restoreArmed` (release after the descriptor and modes are written, acquire-exchanged by the
// handler) and `restoreSequenceCount` (0 while the sequence bytes are written, release after).
// `previousActions[signal]` is written before our handler for `signal` is installed.
nonisolated(unsafe) private let restoreRecord: UnsafeMutablePointer<RestoreRecord> = {
    let record = UnsafeMutablePointer<RestoreRecord>.allocate(capacity: 1)
    let previousActions = UnsafeMutablePointer<sigaction>.allocate(capacity: signalSlots)
    previousActions.initialize(repeating: sigaction(), count: signalSlots)
    let sequence = UnsafeMutablePointer<UInt8>.allocate(capacity: restoreSequenceCapacity)
    sequence.initialize(repeating: 0, count: restoreSequenceCapacity)
    record.initialize(to: RestoreRecord(sequence: sequence, previousActions: previousActions))
    return record
}()

private let restoreArmed = Atomic<Bool>(false)
private let restoreSequenceCount = Atomic<Int>(0)
private let atexitRegistered = Atomic<Bool>(false)

/// Restores the terminal once, if armed. Async-signal-safe.
private func restoreTerminalNow() {
    guard restoreArmed.exchange(false, ordering: .acquiring) else { return }
    let record = restoreRecord
    let count = restoreSequenceCount.load(ordering: .acquiring)
    var written = 0
    var attempts = 0
    while written < count && attempts < 16 {
        let result = write(record.pointee.descriptor, record.pointee.sequence + written, count - written)
        if result > 0 { written += result }
        attempts += 1
    }
    if record.pointee.hasModes {
        _ = tcsetattr(record.pointee.descriptor, TCSANOW, &record.pointee.modes)
    }
}

private func restoreTerminalAtExit() {
    restoreTerminalNow()
}

private func handleSignal(_ signal: Int32, _ info: UnsafeMutablePointer<siginfo_t>?, _ context: UnsafeMutableRawPointer?) {
    restoreTerminalNow()
    _ = sigaction(signal, &restoreRecord.pointee.previousActions[Int(signal)], nil)
    // A genuine fault (si_code > 0) recurs when the faulting instruction runs again after we
    // return, now reaching the previous handler with its real context. A sent signal (kill,
    // raise, abort) would not recur, so send it again; it is blocked until we return.
    let isFault = (info?.pointee.si_code ?? 0) > 0 && isCrashSignal(signal)
    if !isFault {
        raise(signal)
    }
}

// A switch rather than `TerminalRestorer.crashSignals.contains`: no array access in a handler.
private func isCrashSignal(_ signal: Int32) -> Bool {
    switch signal {
    case SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP: true
    default: false
    }
}
