import DeepstreamProtocol
import RPCSteering

/// Work the reducer asks the runtime to do; results come back as ``ConsoleAction``s.
package enum ConsoleEffect: Hashable, Sendable {
    /// Make an RPC; report the end with ``ConsoleAction/makeFinished(requestID:call:outcome:)``.
    case make(name: String, data: JSONValue?, requestID: RequestID)
    /// Provide one of the console's own providers (the runtime knows its behaviour).
    case provide(name: String)
    /// Stop providing it.
    case unprovide(name: String)
    /// Parse `behaviour` (MockProviders syntax) for a new own provider `name`; answer with
    /// ``ConsoleAction/ownProviderRegistered(_:)`` or ``ConsoleAction/ownProviderRejected(name:message:)``.
    case registerProvider(name: String, behaviour: String)
    /// Read the recording at `path` and add its RPC names as own providers answering with the
    /// recorded answers (the add-provider prompt's `@FILE`); answer with
    /// ``ConsoleAction/recordedProvidersLoaded(path:specs:skipped:)`` or
    /// ``ConsoleAction/ownProviderRejected(name:message:input:)``.
    case loadRecordedProviders(path: String)
    /// Stop providing the own provider `name` (if provided) and forget it.
    case removeProvider(name: String)
    /// Switch another client's provider registration off (its requests are rejected on its behalf) or
    /// back on, on the embedded broker.
    case switchProvider(peer: PeerID, name: String, off: Bool)
    /// Resolve a call a `hold` rule keeps on the embedded broker.
    case resolveHeld(CallID, HeldCallResolution)
    /// Replace the embedded broker's steering rules (the Rules overlay changed them).
    case replaceRules(SteeringRules)
    /// Put `text` on the terminal's clipboard (OSC 52) and into the copy file.
    case copy(String)
    /// Persist the composer history.
    case saveHistory([ComposerHistoryEntry])
    /// Write `contents` to the file `path` (a new file; an existing one is not overwritten) and
    /// answer with ``ConsoleAction/fileWritten(path:what:error:)``; `what` names it for the notice.
    case writeFile(path: String, contents: String, what: String)
    /// Exit the console.
    case quit
    /// The state changed: draw a frame (the runtime coalesces these to its frame rate).
    case requestRedraw
    /// Repaint the whole screen (Ctrl-L).
    case repaint
}
