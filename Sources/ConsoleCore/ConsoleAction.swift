import CallRecording
import DeepstreamProtocol
import RPCSteering

/// Everything that can happen to the console: keys, engine events, clock ticks and the results of
/// effects the runtime performed.
package enum ConsoleAction: Hashable, Sendable {
    /// A key was pressed (or the terminal was resized: ``KeyPress/resize(columns:rows:)``).
    case key(KeyPress)
    /// An event from the client engine (including the embedded broker's traffic).
    case engine(EngineEvent)
    /// The clock says it is `now` (drives calls/s and notice expiry).
    case tick(Timestamp)
    /// A `make` the console asked for (``ConsoleEffect/make(name:data:requestID:)``) ended; `call`
    /// is its call id if the engine knows it.
    case makeFinished(requestID: RequestID, call: CallID?, outcome: MakeOutcome)
    /// The composer history was loaded at start.
    case historyLoaded([ComposerHistoryEntry])
    /// Own providers loaded from the providers file at start.
    case ownProvidersLoaded([OwnProviderSpec])
    /// The runtime accepted an interactively added provider (``ConsoleEffect/registerProvider(name:behaviour:)``).
    case ownProviderRegistered(OwnProviderSpec)
    /// The runtime could not parse an interactively added provider's behaviour; `input` is the
    /// prompt text as typed (the prompt reopens with it).
    case ownProviderRejected(name: String, message: String, input: String? = nil)
    /// The runtime read a recording as providers (the prompt's `@FILE`): `specs` are new own
    /// providers; `skipped` names recorded RPCs left out because an own provider has the name.
    case recordedProvidersLoaded(path: String, specs: [OwnProviderSpec], skipped: [String])
    /// The embedded broker's steering rules at start (the Rules overlay lists them).
    case rulesLoaded(SteeringRules)
    /// Text pasted with bracketed paste: inserted as is (no auto-indent, newlines kept in the body).
    case paste(String)
    /// A ``ConsoleEffect/writeFile(path:contents:what:)`` finished; `error` says why it failed.
    case fileWritten(path: String, what: String, error: String?)
    /// Proxy mode, about once a second: messages seen so far per topic (the status line shows rates).
    case topicCounts([Topic: Int], at: Timestamp)
    /// A node or bus change from the cluster feed (`dsconsole cluster`; the Nodes view).
    case cluster(ClusterUpdate)
    /// `dsconsole open` has fed the whole recording: `calls` calls, `badLines` lines skipped.
    case recordingLoaded(calls: Int, badLines: Int, firstBadLine: BadRecordingLine?)
}
