import DeepstreamClient
import MockProviders

/// A name to provide: its summary for people and how to register it on an engine. What both
/// `dsconsole provide` and the console's own providers run, whether the answers come from a mock
/// behaviour (``mock(_:)``) or from a recording (``RecordingProviderHost``).
struct ServedProvider: Sendable {
    /// Reports one served request and the plan it was answered with.
    typealias Report = @Sendable (ProviderRequest, ProviderPlan) -> Void

    /// The RPC name.
    var name: String
    /// What it answers, for people (`echo`, `12 recorded calls, match data`).
    var summary: String
    /// The recording it answers from; nil for a mock behaviour.
    var recording: String?
    /// Provides the name on the engine, reporting every served call.
    var register: @Sendable (ClientEngine, @escaping Report) async throws(ProviderError) -> Void

    /// A mock provider definition, served by ``MockProviderHost``.
    static func mock(_ definition: ProviderDefinition) -> ServedProvider {
        ServedProvider(name: definition.name, summary: definition.behaviour.summary) { engine, report throws(ProviderError) in
            try await MockProviderHost.provide(definition, on: engine, served: report)
        }
    }
}
