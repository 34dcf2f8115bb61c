import ArgumentParser
import EventLoopPacing

/// `--coalesce-reads MICROSECONDS`, one option group shared by `serve` and the console's embedded broker
/// (docs/commands.md): how long the broker's event loop naps after a read batch under sustained traffic.
/// Each command has its own default (``nap(defaultMicroseconds:busyPoll:)``).
struct CoalesceReadsOption: ParsableArguments {
    /// The nap in microseconds as given, or nil for the command's default.
    @Option(
        name: .customLong("coalesce-reads"), parsing: .unconditional,
        help: ArgumentHelp(
            "While messages arrive at 2000/s or more, let the broker nap this long after each read batch so the "
                + "messages that arrive meanwhile are read together: less CPU, up to this much more latency per hop "
                + "(0 = off; at most 10000; default 500 in the console, 0 for serve; docs/broker.md, Read coalescing).",
            valueName: "MICROSECONDS"))
    var microseconds: Int?

    /// Rejects a negative or too long nap with one line saying why.
    func validate() throws {
        guard let microseconds else { return }
        do { _ = try ReadCoalescingPolicy.nap(microseconds: microseconds) } catch {
            throw ValidationError(error.description)
        }
    }

    /// Whether a nap above 0 was asked for explicitly.
    var isOnExplicitly: Bool { (microseconds ?? 0) > 0 }

    /// Whether the broker must refuse to start when the pacer that is on cannot be set up: only when that
    /// pacer was asked for (a command's default is best effort). `napIsOn` says which one is on.
    func isPacingRequired(napIsOn: Bool, busyPoll: BusyPollOption) -> Bool {
        napIsOn ? microseconds != nil : busyPoll.microseconds != nil
    }

    /// Refuses an explicit nap together with a busy-poll window: one spins after a read, the other sleeps.
    func validate(against busyPoll: BusyPollOption) throws {
        if let microseconds, microseconds > 0, busyPoll.isOnExplicitly {
            throw ValidationError(
                "--coalesce-reads and --busy-poll pull opposite ways (one sleeps after a read, the other spins): choose one")
        }
    }

    /// The nap to use: the one given, else `defaultMicroseconds` unless busy-poll was asked for (which a
    /// nap would undo, so then none). `validate()` has already refused a bad value.
    func nap(defaultMicroseconds: Int, busyPoll: BusyPollOption) -> Duration {
        let chosen = microseconds ?? (busyPoll.isOnExplicitly ? 0 : defaultMicroseconds)
        return (try? ReadCoalescingPolicy.nap(microseconds: chosen)) ?? .zero
    }
}
