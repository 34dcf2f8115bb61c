import DeepstreamClient
import DeepstreamProtocol
import MockProviders

/// Runs ``ProviderDefinition``s on a ``ClientEngine``: the IO side of MockProviders' pure
/// ``ProviderBehaviour/plan(for:at:using:)``. Used by `dsconsole provide`; meant for the console's
/// Providers pane too, so that both serve calls identically.
enum MockProviderHost {
    /// Provides `definition.name` on `engine`. For every request the behaviour's plan is computed
    /// (time from `clock`, randomness from the system generator), reported to `served` and carried out.
    static func provide(
        _ definition: ProviderDefinition, on engine: ClientEngine,
        clock: @escaping @Sendable () -> Timestamp = ClientEngine.wallClock,
        served: @escaping @Sendable (ProviderRequest, ProviderPlan) -> Void
    ) async throws(ProviderError) {
        let behaviour = definition.behaviour
        try await engine.provide(definition.name) { data, response, requestor in
            let request = ProviderRequest(
                name: response.name, correlationId: response.correlationId, data: data,
                requestorName: requestor?.name, requestorData: requestor?.data)
            var generator = SystemRandomNumberGenerator()
            let plan = behaviour.plan(for: request, at: clock(), using: &generator)
            carryOut(plan, on: response)
            served(request, plan)
        }
    }

    /// Performs a plan through the engine's response channel: ACCEPT at once (unless the plan
    /// rejects or never accepts), the answer after the plan's delay.
    static func carryOut(_ plan: ProviderPlan, on response: RPCResponse) {
        switch plan {
        case .reject:
            response.reject()
        case .neverAccept:
            response.autoAccept = false
        case .acceptThenNeverRespond:
            response.accept()
        case .respond(let value, let delay):
            response.accept()
            after(delay) { response.send(value) }
        case .error(let value, let delay):
            response.accept()
            after(delay) { response.error(value) }
        }
    }

    private static func after(_ delay: Duration, _ body: @escaping @Sendable () -> Void) {
        guard delay > .zero else { return body() }
        Task {
            try? await Task.sleep(for: delay)
            body()
        }
    }
}
