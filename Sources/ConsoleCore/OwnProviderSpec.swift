/// What the runtime tells the console about one of its own providers: the behaviour itself lives in
/// MockProviders (or in a recording); the console only needs its name, a summary and where the
/// answers come from.
package struct OwnProviderSpec: Hashable, Sendable {
    /// The RPC name.
    package var name: String
    /// A one-line summary of the behaviour (`echo`, `fixed {"ok":true}`, `delay 200ms then echo`).
    package var behaviour: String
    /// The recording it answers from (`--providers-from-recording`); nil for a mock behaviour.
    package var recording: String?
    /// Whether to provide it as soon as it is loaded.
    package var provideAtStart: Bool

    /// Creates a spec.
    package init(name: String, behaviour: String, recording: String? = nil, provideAtStart: Bool = true) {
        self.name = name
        self.behaviour = behaviour
        self.recording = recording
        self.provideAtStart = provideAtStart
    }
}
