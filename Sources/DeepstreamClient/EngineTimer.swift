/// The engine's timers, armed and cancelled by the pure state machines' outputs.
package enum EngineTimer: Hashable, Sendable {
    /// Every heartbeatInterval: send PING and check liveness.
    case heartbeat
    /// Before the next reconnect attempt.
    case reconnect
    /// End of the offline buffer ("limbo") after a connection loss.
    case offlineBuffer
    /// End of the PROVIDE/UNPROVIDE batching window.
    case subscriptionBatch
}
