import ConsoleCore
import DeepstreamClient
import DeepstreamProtocol
import MockProviders

/// The console's own providers (mock behaviours and recordings): how each answers, by name, and the
/// engine calls that provide and unprovide them.
///
/// Owned by the runtime loop (not shared). Provide and unprovide requests go to the engine through one
/// ordered queue, so a quick Space-Space cannot reach the engine as unprovide-then-provide. Requests are
/// served through ``ServedProvider`` (shared with `dsconsole provide`: ``MockProviderHost`` for mock
/// behaviours, ``RecordingProviderHost`` for recordings), so both answer identically.
struct ConsoleProviderHost {
    private enum Command: Sendable {
        case provide(ServedProvider)
        case unprovide(String)
    }

    private var definitions: [String: ServedProvider] = [:]
    private let commands: AsyncStream<Command>.Continuation
    private let worker: Task<Void, Never>

    /// A host for `engine`; refusals (e.g. a name already provided) come back through `report` as
    /// engine error events. Without an engine (offline) every request is refused that way.
    init(engine: ClientEngine?, report: @escaping @Sendable (ConsoleAction) -> Void) {
        let (stream, continuation) = AsyncStream.makeStream(of: Command.self, bufferingPolicy: .unbounded)
        commands = continuation
        worker = Task {
            for await command in stream {
                do throws(ProviderError) {
                    guard let engine else {
                        report(.engine(.error(kind: "PROVIDER", message: "offline: no server to provide on", at: ClientEngine.wallClock())))
                        continue
                    }
                    switch command {
                    case .provide(let provider):
                        // The Providers pane counts served calls from the engine's events.
                        try await provider.register(engine) { _, _ in }
                    case .unprovide(let name):
                        try await engine.unprovide(name)
                    }
                } catch {
                    report(.engine(.error(kind: "PROVIDER", message: error.description, at: ClientEngine.wallClock())))
                }
            }
        }
    }

    /// Adds (or replaces) a mock provider definition; returns the spec the Providers pane shows.
    mutating func add(_ definition: ProviderDefinition, provideAtStart: Bool) -> OwnProviderSpec {
        add(.mock(definition), provideAtStart: provideAtStart)
    }

    /// Adds (or replaces) a provider; returns the spec the Providers pane shows.
    mutating func add(_ provider: ServedProvider, provideAtStart: Bool) -> OwnProviderSpec {
        definitions[provider.name] = provider
        return OwnProviderSpec(
            name: provider.name, behaviour: provider.summary, recording: provider.recording, provideAtStart: provideAtStart)
    }

    /// Whether `name` is one of the console's own providers.
    func knows(_ name: String) -> Bool { definitions[name] != nil }

    /// Asks the engine to provide `name` (ignored for an unknown name).
    func provide(_ name: String) {
        guard let definition = definitions[name] else { return }
        commands.yield(.provide(definition))
    }

    /// Asks the engine to stop providing `name`.
    func unprovide(_ name: String) {
        commands.yield(.unprovide(name))
    }

    /// Stops providing `name` and forgets its definition.
    mutating func remove(_ name: String) {
        guard definitions.removeValue(forKey: name) != nil else { return }
        commands.yield(.unprovide(name))
    }

    /// Stops the queue (at exit).
    func finish() {
        commands.finish()
        worker.cancel()
    }
}
