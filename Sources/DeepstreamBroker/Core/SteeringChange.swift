import RPCSteering

/// A live change to the broker's steering state, handed from the console through the IO shell to the
/// core (``BrokerInput/steer(_:)``); calls dispatched after it see the new state.
public enum SteeringChange: Hashable, Sendable {
    /// Switch one provider registration off (`off: true`: its requests are rejected on its behalf) or
    /// back on.
    case switchProvider(SwitchedOffProvider, off: Bool)
    /// Replace the rules (the console's Rules overlay: add, edit, enable, disable, delete).
    case replaceRules(SteeringRules)
}

extension RPCRouter {
    /// Applies a steering change; switching off a registration that does not exist does nothing.
    package mutating func apply(_ change: SteeringChange) {
        switch change {
        case .switchProvider(let entry, let off):
            if off {
                guard providers(of: entry.name).contains(entry.peer) else { return }
                switchedOff.insert(entry)
            } else {
                switchedOff.remove(entry)
            }
        case .replaceRules(let rules):
            steering = rules
        }
    }
}
