import ConsoleCore
import DeepstreamProtocol

/// What wakes the console's loop. High-volume engine events do not travel here one by one: they wait in
/// the ``EngineEventQueue`` and a single ``engineEventsReady`` wakes the loop to take them in a batch.
enum RuntimeInput: Sendable {
    /// Standard input became readable: drain the keys.
    case keysReady
    /// The periodic check: resizes (ncurses reports them through its key queue) and the clock.
    case poll
    /// Engine events are waiting in the queue.
    case engineEventsReady
    /// The timed wake-up for engine events that came sooner than the loop takes them.
    case engineEventsDue
    /// An action from an effect the runtime performed (a `make` ended, a provider was refused, …).
    case action(ConsoleAction)
    /// A recording read for the add-provider prompt's `@FILE` (the providers still have to join the
    /// host, which only the loop touches).
    case recordedProviders(path: String, Result<RecordingProviderHost.Loaded, CommandFailure>)
    /// The frame the scheduler asked for is due.
    case frameDue
}
