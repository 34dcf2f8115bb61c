import ArgumentParser
import EventLoopBusyPoll

/// `--busy-poll MICROSECONDS`, shared by `serve`, `watch`, `record`, `proxy` and the console's
/// embedded broker (docs/commands.md).
enum BusyPollOption {
    /// The option's help text.
    static let help = ArgumentHelp(
        "Keep the event loop polling for this long after each input instead of sleeping (0 = off, the default; "
            + "at most 10000). Lower one-at-a-time latency on machines where waking an idle CPU is slow, for "
            + "CPU right after each message (docs/broker.md, Busy-poll).",
        valueName: "MICROSECONDS")

    /// The window for `microseconds`, or a usage error with one line saying why not.
    static func window(_ microseconds: Int) throws(ValidationError) -> Duration {
        do { return try BusyPollPolicy.window(microseconds: microseconds) } catch { throw ValidationError(error.description) }
    }
}
