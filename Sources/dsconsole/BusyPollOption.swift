import ArgumentParser
import EventLoopPacing

/// `--busy-poll MICROSECONDS`, one option group shared by `serve`, `watch`, `record`, `proxy`,
/// `cluster --proxy` and the console's embedded broker (docs/commands.md).
struct BusyPollOption: ParsableArguments {
    /// The window in microseconds as given (0 = off).
    @Option(
        name: .customLong("busy-poll"), parsing: .unconditional,
        help: ArgumentHelp(
            "Keep the event loop polling for this long after each input instead of sleeping (0 = off, the default; "
                + "at most 10000). Lower one-at-a-time latency on machines where waking an idle CPU is slow, for "
                + "CPU right after each message (docs/broker.md, Busy-poll).",
            valueName: "MICROSECONDS"))
    var microseconds = 0

    /// Rejects a negative or too long window with one line saying why.
    func validate() throws {
        do { _ = try BusyPollPolicy.window(microseconds: microseconds) } catch { throw ValidationError(error.description) }
    }

    /// The window (zero when off); `validate()` has already refused a bad value.
    var window: Duration { (try? BusyPollPolicy.window(microseconds: microseconds)) ?? .zero }
}
