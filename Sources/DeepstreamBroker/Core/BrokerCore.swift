import DeepstreamProtocol
import RPCSteering

/// The whole broker as a pure state machine: one ``ConnectionSession`` per connection, the
/// ``RPCRouter``, heartbeat and login deadlines. The IO shell feeds ``BrokerInput``s and performs the
/// returned ``BrokerAction``s in order.
package struct BrokerCore {
    struct Connection {
        var session = ConnectionSession()
        var lastReceived: Timestamp

        /// Notes a frame's arrival and tells whether an RPC on it is routed as it is
        /// (``ConnectionSession/routesRPCs``). A mutating method,
        /// so it runs in place through the dictionary's modify accessor; reading `session` through the
        /// values view copied the whole connection (perf4 profile).
        mutating func frameArrived(at now: Timestamp) -> Bool {
            lastReceived = now
            return session.routesRPCs
        }
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

    /// Whether the router produces tap actions for the steps of normal calls (``RPCRouter/emitsCallEvents``).
    package var emitsCallEvents: Bool {
        get { router.emitsCallEvents }
        set { router.emitsCallEvents = newValue }
    }

    /// Open connections.
    package var connectionCount: Int { connections.count }

    /// The session of `peer`, if connected.
    package func session(of peer: PeerID) -> ConnectionSession? { connections[peer]?.session }

    /// When the last frame from `peer` arrived, if connected.
    public func lastReceived(from peer: PeerID) -> Timestamp? { connections[peer]?.lastReceived }

    /// Handles one input.
    package mutating func on(_ input: BrokerInput) -> [BrokerAction] {
        var actions: [BrokerAction] = []
        on(input, into: &actions)
        return actions
    }

    /// Handles one input, appending the actions to `actions` (the IO shell reuses one buffer, so an
    /// input costs no array allocation).
    package mutating func on(_ input: BrokerInput, into actions: inout [BrokerAction]) {
        switch input {
        case .connected(let peer, let remoteAddress, let format, let now):
            connections[peer] = Connection(lastReceived: now)
            actions.append(.tap(.connected(peer: peer, remoteAddress: remoteAddress, format: format, at: now)))
            actions.append(.armTimer(.heartbeat(peer), deadline: now.advanced(by: configuration.heartbeatInterval * 2)))
            if router.isDraining {
                perform(connections[peer]?.session.close(.shutdown) ?? .ignore, for: peer, at: now, into: &actions)
            } else if let timeout = configuration.unauthenticatedClientTimeout {
                actions.append(.armTimer(.authentication(peer), deadline: now.advanced(by: timeout)))
            }
        case .received(let peer, let message, let now):
            receive(message, from: peer, at: now, into: &actions)
        case .authenticated(let peer, let result, let now):
            guard var connection = connections[peer] else { return }
            let decision = connection.session.authenticated(result, maxAuthAttempts: configuration.maxAuthAttempts)
            connections[peer] = connection
            guard decision != .ignore else { return }
            switch result {
            case .success(let user, let clientData, let serverData):
                router.join(peer, user: user, clientData: clientData, serverData: serverData)
                actions.append(.cancelTimer(.authentication(peer)))
                actions.append(.tap(.loggedIn(peer: peer, user: user, clientData: clientData, at: now)))
            case .failure(let user, _):
                actions.append(.tap(.loginFailed(peer: peer, user: user, at: now)))
            }
            perform(decision, for: peer, at: now, into: &actions)
        case .disconnected(let peer, let reason, let now):
            guard let connection = connections.removeValue(forKey: peer) else { return }
            var told = reason
            if case .closing(let own) = connection.session.phase { told = own.description }
            actions.append(.cancelTimer(.heartbeat(peer)))
            actions.append(.cancelTimer(.authentication(peer)))
            actions += router.leave(peer, at: now)
            actions.append(.tap(.disconnected(peer: peer, reason: told, at: now)))
        case .timerFired(let timer, let now):
            switch timer {
            case .authentication(let peer):
                guard var connection = connections[peer] else { return }
                let decision = connection.session.authenticationTimedOut()
                connections[peer] = connection
                perform(decision, for: peer, at: now, into: &actions)
            case .heartbeat(let peer):
                guard var connection = connections[peer] else { return }
                let deadline = connection.lastReceived.advanced(by: configuration.heartbeatInterval * 2)
                guard now >= deadline else {
                    actions.append(.armTimer(.heartbeat(peer), deadline: deadline))
                    return
                }
                let decision = connection.session.close(.heartbeatMissing)
                connections[peer] = connection
                perform(decision, for: peer, at: now, into: &actions)
            case .accept, .response, .steering:
                actions += router.timerFired(timer, at: now)
            }
        case .steer(let change, let now):
            actions += router.apply(change, at: now)
        case .drain:
            router.isDraining = true
        case .terminate(let now):
            router.isDraining = true
            actions += router.failAll(with: .responseTimeout, at: now)
            for peer in connections.keys.sorted() {
                guard var connection = connections[peer] else { continue }
                let decision = connection.session.close(.shutdown)
                connections[peer] = connection
                perform(decision, for: peer, at: now, into: &actions)
            }
        }
    }

    /// Handles one received frame (``BrokerInput/received(_:message:at:)``) without wrapping it in an
    /// input first: the IO shell's per-frame entry point.
    /// `message` is consumed, so the router can keep or forward it without a copy.
    package mutating func receive(
        _ message: consuming Message?, from peer: PeerID, at now: Timestamp, into actions: inout [BrokerAction]
    ) {
        // Updated in place through the index: one hash and no copy of the session per frame.
        guard let index = connections.index(forKey: peer) else { return }
        let routesRPCs = connections.values[index].frameArrived(at: now)
        switch consume message {
        case .rpc(let rpc)? where routesRPCs:
            // What the session decides (`.route`), without building the decision around a copy.
            router.receive(rpc, from: peer, at: now, into: &actions)
        case let other:
            let decision = connections.values[index].session.receive(other)
            perform(decision, for: peer, at: now, into: &actions)
        }
    }

    private mutating func perform(
        _ decision: ConnectionSession.Decision, for peer: PeerID, at now: Timestamp, into actions: inout [BrokerAction]
    ) {
        switch decision {
        case .ignore:
            break
        case .reply(let messages):
            for message in messages { actions.append(.send(peer, message)) }
        case .replyAndClose(let messages, let reason):
            for message in messages { actions.append(.send(peer, message)) }
            actions.append(.cancelTimer(.authentication(peer)))
            actions.append(.cancelTimer(.heartbeat(peer)))
            actions.append(.close(peer, reason))
        case .authenticate(let data):
            actions.append(.authenticate(peer, authData: data))
        case .route(let message):
            router.receive(message, from: peer, at: now, into: &actions)
        }
    }
}
