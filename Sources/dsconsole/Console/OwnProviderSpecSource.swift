import MockProviders

/// A provider definition with whether to provide it at start.
struct OwnProviderSpecSource: Sendable {
    /// The definition (name and behaviour).
    var definition: ProviderDefinition
    /// Whether the console provides it as soon as it starts.
    var provideAtStart: Bool
}
