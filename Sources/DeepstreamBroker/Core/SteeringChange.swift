import DeepstreamProtocol
import RPCSteering

/// A live change to the broker's steering state, handed from the console through the IO shell to the
/// core (``BrokerInput/steer(_:)``); calls dispatched after it see the new state.
public enum SteeringChange: Hashable, Sendable {
    /// Switch one provider registration off (`off: true`: its requests are rejected on its behalf) or
    /// back on.
    case switchProvider(SwitchedOffProvider, off: Bool)
    /// Replace the rules (the console's Rules overlay: add, edit, enable, disable, delete).
    case replaceRules(SteeringRules)
    /// Resolve a call a `hold` rule keeps (release, answer, reject, drop); ignored when the call is no
    /// longer held (it ended, timed out or was resolved already).
    case resolveHeld(CallID, HeldCallResolution)
}

extension RPCRouter {
    /// Applies a steering change; switching off a registration that does not exist does nothing.
    package mutating func apply(_ change: SteeringChange, at now: Timestamp) -> [BrokerAction] {
        switch change {
        case .switchProvider(let entry, let off):
            if off {
                guard providers(of: entry.name).contains(entry.peer) else { return [] }
                switchedOff.insert(entry)
            } else {
                switchedOff.remove(entry)
            }
        case .replaceRules(let rules):
            steering = rules
        case .resolveHeld(let callID, let resolution):
            return resolveHeld(callID, resolution, at: now)
        }
        return []
    }
}
