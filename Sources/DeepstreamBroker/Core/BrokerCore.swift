import DeepstreamProtocol
import RPCSteering

/// The whole broker as a pure state machine: one ``ConnectionSession`` per connection, the
/// ``RPCRouter``, heartbeat and login deadlines. The IO shell feeds ``BrokerInput``s and performs the
/// returned ``BrokerAction``s in order.
package struct BrokerCore {
    struct Connection {
        var session = ConnectionSession()
        var lastReceived: Timestamp
    }

    /// The settings in force.
    package let configuration: BrokerConfiguration
    /// The RPC router.
    package private(set) var router: RPCRouter
    private var connections: [PeerID: Connection] = [:]

    /// Creates a core; `random` chooses among providers.
    package init(configuration: BrokerConfiguration, random: some RandomNumberGenerator & Sendable = SystemRandomNumberGenerator()) {
        self.configuration = configuration
        self.router = RPCRouter(
            settings: configuration.rpc, permissions: configuration.permissions, steering: configuration.steering,
            random: random)
    }

    /// Open connections.
    package var connectionCount: Int { connections.count }

    /// The session of `peer`, if connected.
    package func session(of peer: PeerID) -> ConnectionSession? { connections[peer]?.session }

    /// When the last frame from `peer` arrived, if connected.
    public func lastReceived(from peer: PeerID) -> Timestamp? { connections[peer]?.lastReceived }

    /// Handles one input.
    package mutating func on(_ input: BrokerInput) -> [BrokerAction] {
        switch input {
        case .connected(let peer, let remoteAddress, let format, let now):
            connections[peer] = Connection(lastReceived: now)
            var actions: [BrokerAction] = [
                .tap(.connected(peer: peer, remoteAddress: remoteAddress, format: format, at: now)),
                .armTimer(.heartbeat(peer), deadline: now.advanced(by: configuration.heartbeatInterval * 2)),
            ]
            if router.isDraining {
                actions += perform(connections[peer]?.session.close(.shutdown) ?? .ignore, for: peer, at: now)
            } else if let timeout = configuration.unauthenticatedClientTimeout {
                actions.append(.armTimer(.authentication(peer), deadline: now.advanced(by: timeout)))
            }
            return actions
        case .received(let peer, let message, let now):
            guard var connection = connections[peer] else { return [] }
            connection.lastReceived = now
            let decision = connection.session.receive(message)
            connections[peer] = connection
            return perform(decision, for: peer, at: now)
        case .authenticated(let peer, let result, let now):
            guard var connection = connections[peer] else { return [] }
            let decision = connection.session.authenticated(result, maxAuthAttempts: configuration.maxAuthAttempts)
            connections[peer] = connection
            guard decision != .ignore else { return [] }
            var actions: [BrokerAction] = []
            switch result {
            case .success(let user, let clientData, let serverData):
                router.join(peer, user: user, clientData: clientData, serverData: serverData)
                actions.append(.cancelTimer(.authentication(peer)))
                actions.append(.tap(.loggedIn(peer: peer, user: user, clientData: clientData, at: now)))
            case .failure(let user, _):
                actions.append(.tap(.loginFailed(peer: peer, user: user, at: now)))
            }
            return actions + perform(decision, for: peer, at: now)
        case .disconnected(let peer, let reason, let now):
            guard let connection = connections.removeValue(forKey: peer) else { return [] }
            var told = reason
            if case .closing(let own) = connection.session.phase { told = own.description }
            var actions: [BrokerAction] = [.cancelTimer(.heartbeat(peer)), .cancelTimer(.authentication(peer))]
            actions += router.leave(peer, at: now)
            actions.append(.tap(.disconnected(peer: peer, reason: told, at: now)))
            return actions
        case .timerFired(let timer, let now):
            switch timer {
            case .authentication(let peer):
                guard var connection = connections[peer] else { return [] }
                let decision = connection.session.authenticationTimedOut()
                connections[peer] = connection
                return perform(decision, for: peer, at: now)
            case .heartbeat(let peer):
                guard var connection = connections[peer] else { return [] }
                let deadline = connection.lastReceived.advanced(by: configuration.heartbeatInterval * 2)
                guard now >= deadline else { return [.armTimer(.heartbeat(peer), deadline: deadline)] }
                let decision = connection.session.close(.heartbeatMissing)
                connections[peer] = connection
                return perform(decision, for: peer, at: now)
            case .accept, .response, .steering:
                return router.timerFired(timer, at: now)
            }
        case .steer(let change, let now):
            return router.apply(change, at: now)
        case .drain:
            router.isDraining = true
            return []
        case .terminate(let now):
            router.isDraining = true
            var actions = router.failAll(with: .responseTimeout, at: now)
            for peer in connections.keys.sorted() {
                guard var connection = connections[peer] else { continue }
                let decision = connection.session.close(.shutdown)
                connections[peer] = connection
                actions += perform(decision, for: peer, at: now)
            }
            return actions
        }
    }

    private mutating func perform(_ decision: ConnectionSession.Decision, for peer: PeerID, at now: Timestamp) -> [BrokerAction] {
        switch decision {
        case .ignore:
            return []
        case .reply(let messages):
            return messages.map { .send(peer, $0) }
        case .replyAndClose(let messages, let reason):
            return messages.map { .send(peer, $0) } + [
                .cancelTimer(.authentication(peer)), .cancelTimer(.heartbeat(peer)), .close(peer, reason),
            ]
        case .authenticate(let data):
            return [.authenticate(peer, authData: data)]
        case .route(let message):
            return router.receive(message, from: peer, at: now)
        }
    }
}
