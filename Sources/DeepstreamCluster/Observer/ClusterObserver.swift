import DeepstreamProtocol

/// The pure state machine behind the cluster view: Redis bus messages in, ``ClusterEvent``s out.
///
/// It keeps every node (alive by STATUS, gone after the inactivity timeout of silence), the RPC names
/// each node provides (RPC_SUBSCRIPTIONS ADD / REMOVE / FULL_STATE, checked against every CHECKSUM),
/// and every open cross-node call (grouped by requestor node and correlation id). Time comes only from
/// the callers' timestamps: ``tick(at:)`` advances timeouts, so tests need no sleeps. Everything is
/// bounded: open calls are capped (the oldest is abandoned when full) and repeated warnings are counted
/// rather than repeated.
package struct ClusterObserver: Sendable {
    /// Timeouts and bounds.
    package struct Configuration: Sendable, Hashable {
        /// Silence after which a node is gone: deepstream's `nodeInactiveTimeout` (default 6 s).
        package var nodeInactiveTimeout: Duration
        /// How long after a NO_RPC_PROVIDER a new REQUEST with the same id counts as a reroute.
        package var rerouteWindow: Duration
        /// How long an open call may see nothing before it is closed as abandoned.
        package var callExpiry: Duration
        /// Silence of the whole bus after which a warning says so.
        package var busSilence: Duration
        /// Most open calls kept at once.
        package var maximumOpenCalls: Int
        /// Creates a configuration.
        package init(
            nodeInactiveTimeout: Duration = .seconds(6), rerouteWindow: Duration = .milliseconds(250),
            callExpiry: Duration = .seconds(10), busSilence: Duration = .seconds(10), maximumOpenCalls: Int = 10_000
        ) {
            self.nodeInactiveTimeout = nodeInactiveTimeout
            self.rerouteWindow = rerouteWindow
            self.callExpiry = callExpiry
            self.busSilence = busSilence
            self.maximumOpenCalls = maximumOpenCalls
        }
    }

    /// Counts of what arrived.
    package struct Counters: Sendable, Hashable {
        /// Every message received.
        package var messages = 0
        /// Payloads that were not deepstream envelopes.
        package var badPayloads = 0
        /// Envelopes of unknown topic or action.
        package var unknownMessages = 0
        /// Known messages the view does not use (events, records, other registries, …).
        package var ignoredMessages = 0
        /// RPC answers for calls the observer never saw start (it started mid-call) or already closed.
        package var unmatchedCallMessages = 0
        /// Open calls dropped because ``Configuration/maximumOpenCalls`` was reached.
        package var droppedCalls = 0
        /// Creates zero counters.
        package init() {}
    }

    private struct CallKey: Hashable {
        var requestorNode: String
        var correlationId: String
    }

    private struct OpenCall {
        var id: CallID
        var name: String
        var providerNode: String
        var bouncedUntil: Timestamp?
        var lastStep: Timestamp
        var order: UInt64
    }

    /// The configuration in force.
    package let configuration: Configuration
    /// What arrived so far.
    package private(set) var counters = Counters()
    private var nodesByName: [String: ClusterNode] = [:]
    private var namesByPeer: [PeerID: String] = [:]
    private var nextPeer: UInt64 = 1
    private var calls: [CallKey: OpenCall] = [:]
    private var callOrder: UInt64 = 0
    private var lastMessageAt: Timestamp?
    private var silenceReported = false
    private var reportedProblems: [String: Int] = [:]
    /// Nodes changed by the message or tick being handled: each gets one ``ClusterEvent/nodeState(_:leader:at:)``.
    private var changedNodes: Set<String> = []

    /// Creates an observer that knows nothing yet.
    package init(configuration: Configuration = Configuration()) { self.configuration = configuration }

    /// Every node seen, alive or not, by name.
    package var nodes: [ClusterNode] { nodesByName.values.sorted { $0.name < $1.name } }

    /// The node called `name`.
    package func node(named name: String) -> ClusterNode? { nodesByName[name] }

    /// The serverName a peer id stands for (also for peers of earlier lives of a node).
    package func nodeName(for peer: PeerID) -> String? { namesByPeer[peer] }

    /// The alive node with the highest leaderScore.
    package var leader: String? {
        nodesByName.values.filter { $0.isAlive && $0.leaderScore != nil }
            .max { ($0.leaderScore ?? 0, $1.name) < ($1.leaderScore ?? 0, $0.name) }?.name
    }

    /// Number of cross-node calls still open.
    package var openCallCount: Int { calls.count }

    /// The subscription is in place at `at`: the bus-silence clock starts here.
    package mutating func busSubscribed(at: Timestamp) {
        lastMessageAt = at
        silenceReported = false
    }

    /// One PUBLISH payload received on `channel`.
    package mutating func receive(channel: String, payload: [UInt8], at: Timestamp) -> [ClusterEvent] {
        let events = handle(channel: channel, payload: payload, at: at)
        return events + nodeStates(at: at)
    }

    private mutating func handle(channel: String, payload: [UInt8], at: Timestamp) -> [ClusterEvent] {
        counters.messages += 1
        lastMessageAt = at
        silenceReported = false
        let envelope: BusEnvelope
        do throws(BusEnvelope.DecodeError) {
            envelope = try BusEnvelope(payload: payload)
        } catch {
            counters.badPayloads += 1
            return problem(.badPayload, key: "bad:\(channel)", "channel \(channel): \(error.description)", at: at)
        }
        guard BusNumbers.knownTopics.contains(envelope.topic), String(envelope.topic) == channel else {
            counters.unknownMessages += 1
            return problem(
                .unknownMessage, key: "topic:\(channel):\(envelope.topic)",
                "channel \(channel): message of unknown topic \(envelope.topic) from \(envelope.fromServer)", at: at)
        }
        switch envelope.topic {
        case BusNumbers.clusterTopic: return cluster(envelope, at: at)
        case BusNumbers.stateRegistryTopic: return stateRegistry(envelope, at: at)
        case BusNumbers.rpcTopic: return rpc(envelope, at: at)
        default:
            counters.ignoredMessages += 1
            return touch(envelope.fromServer, at: at)
        }
    }

    /// Time passes: nodes silent for longer than the inactivity timeout are gone, bounced calls that
    /// were not rerouted fail, idle calls expire, and a silent bus is reported.
    package mutating func tick(at: Timestamp) -> [ClusterEvent] {
        let events = expire(at: at)
        return events + nodeStates(at: at)
    }

    private mutating func expire(at: Timestamp) -> [ClusterEvent] {
        var events: [ClusterEvent] = []
        for name in nodesByName.keys.sorted() {
            guard var node = nodesByName[name], node.isAlive else { continue }
            let reference = node.lastStatus ?? node.lastSeen
            guard at.since(reference) > configuration.nodeInactiveTimeout else { continue }
            node.isAlive = false
            node.silentSince = at
            for provided in node.providedNames.sorted() {
                events.append(.traffic(.providerRemoved(peer: node.peer, name: provided, at: at)))
            }
            node.providedNames = []
            node.checksumMismatch = false
            nodesByName[name] = node
            changedNodes.insert(name)
            let seconds = at.since(reference).secondsValue
            let reason = "silent: nothing since \(reference) (\(formatSeconds(seconds)) s, timeout "
                + "\(formatSeconds(configuration.nodeInactiveTimeout.secondsValue)) s)"
            events.append(.traffic(.disconnected(peer: node.peer, reason: reason, at: at)))
            events.append(.node(nodeEvent(node, .silent, at: at)))
        }
        for (key, call) in calls.sorted(by: { $0.value.order < $1.value.order }) {
            if let until = call.bouncedUntil, at >= until {
                calls[key] = nil
                events.append(.traffic(.call(CallEvent(call: call.id, name: call.name, step: .failed(reason: .noRPCProvider), at: at))))
            } else if at.since(call.lastStep) > configuration.callExpiry {
                calls[key] = nil
                events.append(.traffic(.call(CallEvent(
                    call: call.id, name: call.name, step: .abandoned(reason: "no answer seen on the bus"), at: at))))
            }
        }
        if let last = lastMessageAt, !silenceReported, at.since(last) >= configuration.busSilence {
            silenceReported = true
            events.append(.warning(ClusterWarning(
                kind: .busSilent,
                message: "nothing on the Redis bus for \(formatSeconds(at.since(last).secondsValue)) s: is this the Redis of a "
                    + "deepstream cluster (clusterNode redis), and is a node running?",
                at: at)))
        }
        return events
    }

    // MARK: - Topics

    private mutating func cluster(_ envelope: BusEnvelope, at: Timestamp) -> [ClusterEvent] {
        switch envelope.action {
        case BusNumbers.clusterStatus:
            var events = touch(envelope.fromServer, at: at)
            guard var node = nodesByName[envelope.fromServer] else { return events }
            let first = node.lastStatus == nil
            node.leaderScore = envelope.message["leaderScore"]?.doubleValue
            node.role = envelope.string("role")
            node.lastStatus = at
            nodesByName[node.name] = node
            changedNodes.insert(node.name)
            if first {
                var clientData = JSONObject()
                clientData["leaderScore"] = node.leaderScore.map(JSONValue.double)
                clientData["role"] = node.role.map(JSONValue.string)
                events.append(.traffic(.loggedIn(peer: node.peer, user: node.name, clientData: .object(clientData), at: at)))
            }
            events.append(.node(nodeEvent(node, .status, at: at)))
            return events
        case BusNumbers.clusterRemove:
            // deepstream never gets it onto the bus and ignores it if it does (docs/cluster.md).
            counters.ignoredMessages += 1
            return touch(envelope.fromServer, at: at)
        default:
            return unknown(envelope, at: at)
        }
    }

    private mutating func stateRegistry(_ envelope: BusEnvelope, at: Timestamp) -> [ClusterEvent] {
        var events = touch(envelope.fromServer, at: at)
        guard let registry = envelope.message["registryTopic"]?.intValue else {
            counters.badPayloads += 1
            return events + problem(.badPayload, key: "noregistry", "STATE_REGISTRY message without registryTopic from \(envelope.fromServer)", at: at)
        }
        guard registry == BusNumbers.rpcSubscriptions else {
            counters.ignoredMessages += 1
            return events
        }
        guard var node = nodesByName[envelope.fromServer] else { return events }
        switch envelope.action {
        case BusNumbers.stateAdd, BusNumbers.stateRemove:
            guard let name = envelope.string("name") else {
                counters.badPayloads += 1
                return events + problem(.badPayload, key: "noname", "RPC_SUBSCRIPTIONS change without name from \(node.name)", at: at)
            }
            if envelope.action == BusNumbers.stateAdd {
                if node.providedNames.insert(name).inserted {
                    events.append(.traffic(.providerAdded(peer: node.peer, name: name, at: at)))
                }
            } else if node.providedNames.remove(name) != nil {
                node.bounces[name] = nil
                events.append(.traffic(.providerRemoved(peer: node.peer, name: name, at: at)))
            }
        case BusNumbers.stateFullState:
            guard case .array(let values)? = envelope.message["fullState"] else {
                counters.badPayloads += 1
                return events + problem(.badPayload, key: "nofull", "FULL_STATE without fullState from \(node.name)", at: at)
            }
            let full = Set(values.compactMap(\.stringValue))
            for name in node.providedNames.subtracting(full).sorted() {
                node.bounces[name] = nil
                events.append(.traffic(.providerRemoved(peer: node.peer, name: name, at: at)))
            }
            for name in full.subtracting(node.providedNames).sorted() {
                events.append(.traffic(.providerAdded(peer: node.peer, name: name, at: at)))
            }
            node.providedNames = full
        case BusNumbers.stateChecksum:
            guard let announced = checksumValue(envelope.message["checksum"]) else {
                counters.badPayloads += 1
                return events + problem(.badPayload, key: "nosum", "CHECKSUM without a number from \(node.name)", at: at)
            }
            let computed = ProviderChecksum.total(of: node.providedNames)
            node.lastChecksum = announced
            if announced != computed {
                if !node.checksumMismatch {
                    let names = node.providedNames.sorted().joined(separator: ", ")
                    events.append(.warning(ClusterWarning(
                        kind: .checksumMismatch, node: node.name,
                        message: "\(node.name): provider CHECKSUM \(announced) does not match the names seen on the bus "
                            + "[\(names)] (sum \(computed)); the list is incomplete (started after the node?) or stale",
                        at: at)))
                }
                node.checksumMismatch = true
            } else {
                node.checksumMismatch = false
            }
        case BusNumbers.stateRequestFullState:
            break
        default:
            nodesByName[node.name] = node
            return events + unknown(envelope, at: at)
        }
        if nodesByName[node.name] != node { changedNodes.insert(node.name) }
        nodesByName[node.name] = node
        return events
    }

    private mutating func rpc(_ envelope: BusEnvelope, at: Timestamp) -> [ClusterEvent] {
        var events = touch(envelope.fromServer, at: at)
        guard let to = envelope.toServer, let correlationId = envelope.string("correlationId"),
              let name = envelope.string("name") else {
            counters.badPayloads += 1
            return events + problem(
                .badPayload, key: "rpcshape", "RPC message without toServer, correlationId or name from \(envelope.fromServer)",
                at: at)
        }
        let action = RPCAction(rawValue: Int32(clamping: envelope.action))
        let data = envelope.string("data")
        if action == .request {
            events += touch(to, at: at, quietly: true)
            guard let requestor = nodesByName[envelope.fromServer], let provider = nodesByName[to] else { return events }
            let key = CallKey(requestorNode: requestor.name, correlationId: correlationId)
            if var call = calls[key] {
                call.providerNode = provider.name
                call.bouncedUntil = nil
                call.lastStep = at
                calls[key] = call
                events.append(.traffic(.call(CallEvent(call: call.id, name: call.name, step: .routed(to: provider.peer), at: at))))
                return events
            }
            if calls.count >= configuration.maximumOpenCalls, let oldest = calls.min(by: { $0.value.order < $1.value.order }) {
                calls[oldest.key] = nil
                counters.droppedCalls += 1
                events.append(.traffic(.call(CallEvent(
                    call: oldest.value.id, name: oldest.value.name, step: .abandoned(reason: "too many open calls"), at: at))))
            }
            callOrder += 1
            let id = CallID(requestor: requestor.peer, correlationId: correlationId)
            calls[key] = OpenCall(id: id, name: name, providerNode: provider.name, lastStep: at, order: callOrder)
            events.append(.traffic(.call(CallEvent(call: id, name: name, step: .requested(data: data), at: at))))
            events.append(.traffic(.call(CallEvent(call: id, name: name, step: .routed(to: provider.peer), at: at))))
            return events
        }
        let key = CallKey(requestorNode: to, correlationId: correlationId)
        guard var call = calls[key], let provider = nodesByName[envelope.fromServer] else {
            switch action {
            case .accept, .response, .requestError, .noRPCProvider, .acceptTimeout, .responseTimeout, .multipleAccept:
                counters.unmatchedCallMessages += 1
                return events
            default:
                return events + unknown(envelope, at: at)
            }
        }
        let step: CallStep
        switch action {
        case .accept: step = .accepted(by: provider.peer)
        case .response: step = .responded(data: data)
        case .requestError: step = .errored(data: data)
        case .noRPCProvider:
            step = .rejected(by: provider.peer)
            call.bouncedUntil = at.advanced(by: configuration.rerouteWindow)
            if var node = nodesByName[provider.name], node.providedNames.contains(name) {
                let count = (node.bounces[name] ?? 0) + 1
                node.bounces[name] = count
                nodesByName[node.name] = node
                changedNodes.insert(node.name)
                events.append(.warning(ClusterWarning(
                    kind: .providerBounced, node: node.name, name: name,
                    message: "\(node.name) is registered as provider of \(name) but answered NO_RPC_PROVIDER "
                        + "(\(count) time\(count == 1 ? "" : "s")): a stale registry entry, or all its providers rejected",
                    at: at)))
            }
        case .acceptTimeout, .responseTimeout: step = .failed(reason: action)
        case .multipleAccept:
            counters.ignoredMessages += 1
            return events
        default:
            return events + unknown(envelope, at: at)
        }
        call.lastStep = at
        if step.isFinal { calls[key] = nil } else { calls[key] = call }
        events.append(.traffic(.call(CallEvent(call: call.id, name: call.name, step: step, at: at))))
        return events
    }

    // MARK: - Helpers

    /// Notes that `name` is on the bus, creating (or reviving) the node.
    private mutating func touch(_ name: String, at: Timestamp, quietly: Bool = false) -> [ClusterEvent] {
        if quietly, nodesByName[name] != nil { return [] }
        if var node = nodesByName[name], node.isAlive {
            node.lastSeen = at
            nodesByName[name] = node
            return []
        }
        let peer = PeerID(nextPeer)
        nextPeer += 1
        let node = ClusterNode(name: name, peer: peer, at: at)
        nodesByName[name] = node
        namesByPeer[peer] = name
        changedNodes.insert(name)
        return [
            .traffic(.connected(peer: peer, remoteAddress: name, format: .json, at: at)),
            .node(nodeEvent(node, .joined, at: at)),
        ]
    }

    /// One ``ClusterEvent/nodeState(_:leader:at:)`` per node changed since the last call, by name.
    private mutating func nodeStates(at: Timestamp) -> [ClusterEvent] {
        guard !changedNodes.isEmpty else { return [] }
        let leader = self.leader
        let events = changedNodes.sorted().compactMap { name in
            nodesByName[name].map { ClusterEvent.nodeState($0, leader: leader, at: at) }
        }
        changedNodes = []
        return events
    }

    private func nodeEvent(_ node: ClusterNode, _ change: NodeEvent.Change, at: Timestamp) -> NodeEvent {
        NodeEvent(
            node: node.name, peer: node.peer, change: change, leaderScore: node.leaderScore, role: node.role,
            lastStatus: node.lastStatus, leader: leader, at: at)
    }

    private mutating func unknown(_ envelope: BusEnvelope, at: Timestamp) -> [ClusterEvent] {
        counters.unknownMessages += 1
        return problem(
            .unknownMessage, key: "action:\(envelope.topic):\(envelope.action)",
            "channel \(envelope.topic): unknown action \(envelope.action) from \(envelope.fromServer)", at: at)
    }

    /// A warning the first time a kind of problem occurs, then at 10, 100, 1000, … occurrences.
    private mutating func problem(_ kind: ClusterWarning.Kind, key: String, _ message: String, at: Timestamp) -> [ClusterEvent] {
        // Bounded: past 1000 distinct problems, new ones are only counted (in ``counters``).
        guard reportedProblems[key] != nil || reportedProblems.count < 1000 else { return [] }
        let count = (reportedProblems[key] ?? 0) + 1
        reportedProblems[key] = count
        var power = 1
        while power < count { power *= 10 }
        guard power == count else { return [] }
        let suffix = count > 1 ? " (\(count) times so far)" : ""
        return [.warning(ClusterWarning(kind: kind, message: message + suffix, at: at))]
    }

    private func checksumValue(_ value: JSONValue?) -> Int64? {
        guard case .number(let number)? = value else { return nil }
        if let exact = Int64(number.text) { return exact }
        let double = number.doubleValue
        guard double.isFinite, abs(double) < 9.0e18 else { return nil }
        return Int64(double)
    }

    private func formatSeconds(_ seconds: Double) -> String {
        let tenths = (seconds * 10).rounded()
        return "\(Int(tenths) / 10).\(abs(Int(tenths)) % 10)"
    }
}

extension Duration {
    /// The duration in seconds as a Double.
    fileprivate var secondsValue: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
