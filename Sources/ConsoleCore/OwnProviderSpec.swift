/// What the runtime tells the console about one of its own providers: the behaviour itself lives in
/// MockProviders; the console only needs its name and a summary.
package struct OwnProviderSpec: Hashable, Sendable {
    /// The RPC name.
    package var name: String
    /// A one-line summary of the behaviour (`echo`, `fixed {"ok":true}`, `delay 200ms then echo`).
    package var behaviour: String
    /// Whether to provide it as soon as it is loaded.
    package var provideAtStart: Bool

    /// Creates a spec.
    package init(name: String, behaviour: String, provideAtStart: Bool = true) {
        self.name = name
        self.behaviour = behaviour
        self.provideAtStart = provideAtStart
    }
}
