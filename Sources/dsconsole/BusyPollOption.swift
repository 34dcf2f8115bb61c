import ArgumentParser
import EventLoopPacing

/// `--busy-poll MICROSECONDS`, one option group shared by `serve`, `watch`, `record`, `proxy`,
/// `cluster --proxy` and the console's embedded broker (docs/commands.md). `serve` polls 50 µs unless
/// told otherwise (``serveDefaultMicroseconds``); everything else is off unless asked.
struct BusyPollOption: ParsableArguments {
    /// `serve`'s default window: one call at a time without the wake-ups of a halted CPU (docs/broker.md,
    /// "Busy-poll"); windows that catch nothing back off, so idle and sparse traffic cost nothing.
    static let serveDefaultMicroseconds = 50

    /// The window in microseconds as given, or nil for the command's default.
    @Option(
        name: .customLong("busy-poll"), parsing: .unconditional,
        help: ArgumentHelp(
            "Keep the event loop polling for this long after each input instead of sleeping (0 = off; at most "
                + "10000; default 50 for dsconsole serve, 0 for every other command). Lower one-at-a-time latency on machines where waking "
                + "an idle CPU is slow, for CPU right after each message; backs off while the windows catch "
                + "nothing (docs/broker.md, Busy-poll).",
            valueName: "MICROSECONDS"))
    var microseconds: Int?

    /// Rejects a negative or too long window with one line saying why.
    func validate() throws {
        guard let microseconds else { return }
        do { _ = try BusyPollPolicy.window(microseconds: microseconds) } catch { throw ValidationError(error.description) }
    }

    /// Whether a window above 0 was asked for explicitly.
    var isOnExplicitly: Bool { (microseconds ?? 0) > 0 }

    /// The window given, or zero (the default of every command but `serve`); `validate()` has already
    /// refused a bad value.
    var window: Duration { window(defaultMicroseconds: 0) }

    /// The window given, else `defaultMicroseconds`.
    func window(defaultMicroseconds: Int) -> Duration {
        (try? BusyPollPolicy.window(microseconds: microseconds ?? defaultMicroseconds)) ?? .zero
    }
}
