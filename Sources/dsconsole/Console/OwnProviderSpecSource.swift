/// One of the console's own providers with whether to provide it at start.
struct OwnProviderSpecSource: Sendable {
    /// The provider (name, summary and how it answers: a mock behaviour or a recording).
    var provider: ServedProvider
    /// Whether the console provides it as soon as it starts.
    var provideAtStart: Bool
}
