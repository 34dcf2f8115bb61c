import ConsoleCore
import DeepstreamClient
import DeepstreamProtocol
import MockProviders

/// The console's own mock providers: their behaviours by name, and the engine calls that provide and
/// unprovide them.
///
/// Owned by the runtime loop (not shared). Provide and unprovide requests go to the engine through one
/// ordered queue, so a quick Space-Space cannot reach the engine as unprovide-then-provide. The
/// handlers run on the engine: they ask ``ProviderBehaviour/plan(for:at:using:)`` what to do and carry
/// the plan out on the request's ``RPCResponse`` without blocking (delays run in their own task).
struct ConsoleProviderHost {
    private enum Command: Sendable {
        case provide(String, ProviderBehaviour)
        case unprovide(String)
    }

    private var behaviours: [String: ProviderBehaviour] = [:]
    private let commands: AsyncStream<Command>.Continuation
    private let worker: Task<Void, Never>

    /// A host for `engine`; refusals (e.g. a name already provided) come back through `report` as
    /// engine error events.
    init(engine: ClientEngine, report: @escaping @Sendable (ConsoleAction) -> Void) {
        let (stream, continuation) = AsyncStream.makeStream(of: Command.self, bufferingPolicy: .unbounded)
        commands = continuation
        worker = Task {
            for await command in stream {
                do throws(ProviderError) {
                    switch command {
                    case .provide(let name, let behaviour):
                        try await engine.provide(name, handler: Self.handler(for: behaviour))
                    case .unprovide(let name):
                        try await engine.unprovide(name)
                    }
                } catch {
                    report(.engine(.error(kind: "PROVIDER", message: error.description, at: ClientEngine.wallClock())))
                }
            }
        }
    }

    /// Adds (or replaces) a provider definition; returns the spec the Providers pane shows.
    mutating func add(_ definition: ProviderDefinition, provideAtStart: Bool) -> OwnProviderSpec {
        behaviours[definition.name] = definition.behaviour
        return OwnProviderSpec(name: definition.name, behaviour: definition.behaviour.summary, provideAtStart: provideAtStart)
    }

    /// Whether `name` is one of the console's own providers.
    func knows(_ name: String) -> Bool { behaviours[name] != nil }

    /// Asks the engine to provide `name` (ignored for an unknown name).
    func provide(_ name: String) {
        guard let behaviour = behaviours[name] else { return }
        commands.yield(.provide(name, behaviour))
    }

    /// Asks the engine to stop providing `name`.
    func unprovide(_ name: String) {
        commands.yield(.unprovide(name))
    }

    /// Stops the queue (at exit).
    func finish() {
        commands.finish()
        worker.cancel()
    }

    /// The engine handler carrying out `behaviour`'s plan for each request.
    static func handler(for behaviour: ProviderBehaviour) -> ClientEngine.Handler {
        { data, response, requestor in
            let request = ProviderRequest(
                name: response.name, correlationId: response.correlationId, data: data,
                requestorName: requestor?.name, requestorData: requestor?.data)
            var random = SystemRandomNumberGenerator()
            let plan = behaviour.plan(for: request, at: ClientEngine.wallClock(), using: &random)
            perform(plan, on: response)
        }
    }

    /// Carries out `plan` on `response`: ACCEPT at once for accepting plans, the answer after the delay.
    static func perform(_ plan: ProviderPlan, on response: RPCResponse) {
        switch plan {
        case .reject:
            response.reject()
        case .neverAccept:
            response.autoAccept = false
        case .acceptThenNeverRespond:
            response.accept()
        case .respond(let value, let delay):
            answer(after: delay, on: response) { $0.send(value) }
        case .error(let value, let delay):
            answer(after: delay, on: response) { $0.error(value) }
        }
    }

    private static func answer(after delay: Duration, on response: RPCResponse, _ settle: @escaping @Sendable (RPCResponse) -> Void) {
        guard delay > .zero else {
            settle(response)
            return
        }
        response.accept()
        Task {
            try? await Task.sleep(for: delay)
            settle(response)
        }
    }
}
