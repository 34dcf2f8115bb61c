import DeepstreamProtocol

/// Joins two views of one cluster into one stream of ``TrafficEvent``s (`dsconsole cluster --proxy`):
/// the calls a proxy in front of one node sees (apps ⇄ that node) and the cross-node calls the Redis
/// bus shows (node ⇄ node).
///
/// **One call, one row.** deepstream forwards a client's REQUEST with the client's correlation id and
/// RPC name — to a provider on its node, and on the bus to another node — so both views key a call by
/// (RPC name, correlation id), as the proxy's and the cluster's observers do. The first view to report
/// a key creates the row (its call id, with the requestor of that view); the other view's steps are
/// rewritten onto that row: a second `requested` is dropped; `routed` steps come only from the view that
/// routed first (the other view's routing is its own leg of the same route, node → app on it, and
/// would count as a reroute); `rejected` steps of both are kept; only the first `accepted` is kept (a
/// proxy's `accepted(by: unseen)` names the provider the bus routed to, when known, and the proxy's
/// `accepted(by: app)` names the app when the proxy answers first); only the first final step ends the
/// row (latencies are measured by whichever view saw each step first).
/// An ended key is remembered for ``Configuration/endedCallMemory`` so the other view's late steps are
/// swallowed rather than opening a second row.
///
/// **Peers.** Both views number their peers from 1 (apps behind the proxy; nodes on the bus), so every
/// peer gets a new id here, in order of first appearance; ``PeerID/unidentified`` (0) stays 0. A proxy
/// peer's mapping ends with its `disconnected` (connections come and go); a node's stays, so the Nodes
/// view can still name a gone node's peer (a node that rejoins gets a new peer from the observer).
///
/// Pure and bounded: open and remembered calls are capped (the oldest is forgotten and counted), proxy
/// peer mappings end with the peer's `disconnected`, node mappings grow only with node lives.
package struct ProxyClusterJoin: Sendable {
    /// Which view an event comes from.
    package enum Source: Hashable, Sendable {
        /// The proxy in front of one node.
        case proxy
        /// The cluster's Redis bus.
        case bus
    }

    /// Bounds.
    package struct Configuration: Hashable, Sendable {
        /// How long an ended call's key swallows the other view's late steps.
        package var endedCallMemory: Duration
        /// Most calls (open or remembered) kept at once.
        package var maximumCalls: Int
        /// Creates a configuration.
        package init(endedCallMemory: Duration = .seconds(10), maximumCalls: Int = 100_000) {
            self.endedCallMemory = endedCallMemory
            self.maximumCalls = maximumCalls
        }
    }

    /// Counts for the log and the tests.
    package struct Counters: Hashable, Sendable {
        /// Calls that both views reported (joined rows).
        package var joinedCalls = 0
        /// Steps dropped because the other view already reported them.
        package var duplicateSteps = 0
        /// Calls forgotten because ``Configuration/maximumCalls`` was reached.
        package var forgottenCalls = 0
        /// Creates zero counters.
        package init() {}
    }

    private struct PeerKey: Hashable {
        var source: Source
        var peer: PeerID
    }

    private struct CallKey: Hashable {
        var name: String
        var correlationId: String
    }

    private struct JoinedCall {
        var id: CallID
        var sources: Set<Source>
        var requested = false
        var accepted = false
        var provider: PeerID?
        var routedBy: Source?
        var ended: Timestamp?
        var order: UInt64
    }

    /// The bounds in force.
    package let configuration: Configuration
    /// What happened so far.
    package private(set) var counters = Counters()
    private var peers: [PeerKey: PeerID] = [:]
    private var nextPeer: UInt64 = 1
    private var calls: [CallKey: JoinedCall] = [:]
    private var order: UInt64 = 0
    /// Ended calls in the order they ended, from `endedHead` on (purged when older than the memory).
    private var ended: [(key: CallKey, order: UInt64, at: Timestamp)] = []
    private var endedHead = 0

    /// Creates a join that has seen nothing.
    package init(configuration: Configuration = Configuration()) { self.configuration = configuration }

    /// Calls open or remembered now.
    package var trackedCallCount: Int { calls.count }

    /// The joined id of `source`'s `peer` (a new one the first time).
    package mutating func peer(_ peer: PeerID, from source: Source) -> PeerID {
        guard peer != .unidentified else { return peer }
        let key = PeerKey(source: source, peer: peer)
        if let mapped = peers[key] { return mapped }
        let mapped = PeerID(nextPeer)
        nextPeer += 1
        peers[key] = mapped
        return mapped
    }

    /// The events `event` from `source` becomes (none when the other view already said it).
    package mutating func receive(_ event: TrafficEvent, from source: Source) -> [TrafficEvent] {
        switch event {
        case .connected(let p, let address, let format, let at):
            return [.connected(peer: peer(p, from: source), remoteAddress: address, format: format, at: at)]
        case .loggedIn(let p, let user, let clientData, let at):
            return [.loggedIn(peer: peer(p, from: source), user: user, clientData: clientData, at: at)]
        case .loginFailed(let p, let user, let at):
            return [.loginFailed(peer: peer(p, from: source), user: user, at: at)]
        case .disconnected(let p, let reason, let at):
            let mapped = peer(p, from: source)
            if source == .proxy { peers[PeerKey(source: source, peer: p)] = nil }
            return [.disconnected(peer: mapped, reason: reason, at: at)]
        case .frame(let p, let direction, let message, let byteCount, let at):
            return [.frame(peer: peer(p, from: source), direction: direction, message: message, byteCount: byteCount, at: at)]
        case .providerAdded(let p, let name, let at):
            return [.providerAdded(peer: peer(p, from: source), name: name, at: at)]
        case .providerRemoved(let p, let name, let at):
            return [.providerRemoved(peer: peer(p, from: source), name: name, at: at)]
        case .call(let call):
            return self.call(call, from: source).map { .call($0) }
        case .payloadsNotKept:
            // Only recordings produce it; neither the bus nor the proxy does.
            return [event]
        }
    }

    private mutating func call(_ event: CallEvent, from source: Source) -> [CallEvent] {
        forgetEnded(before: event.at)
        let key = CallKey(name: event.name, correlationId: event.call.correlationId)
        var step = mapped(event.step, from: source)
        if let existing = calls[key], existing.ended != nil {
            // The same client reusing an id after its call ended starts a new row; anything else is the
            // other view's late report of the ended call.
            guard case .requested = event.step, existing.sources == [source] else {
                counters.duplicateSteps += 1
                return []
            }
            calls[key] = nil
        }
        guard var joined = calls[key] else {
            makeRoom()
            order += 1
            var fresh = JoinedCall(
                id: CallID(requestor: event.call.requestor.map { peer($0, from: source) }, correlationId: event.call.correlationId),
                sources: [source], order: order)
            return [record(step, in: &fresh, from: source, key: key, at: event.at, name: event.name)]
        }
        if joined.sources.insert(source).inserted, joined.sources.count == 2 { counters.joinedCalls += 1 }
        switch step {
        case .requested:
            guard !joined.requested else {
                counters.duplicateSteps += 1
                calls[key] = joined
                return []
            }
        case .routed:
            // The view that routed first owns the routing: the other view's routing of the same call is
            // its own leg (node → app on it), which would count as a reroute.
            if let routedBy = joined.routedBy, routedBy != source {
                counters.duplicateSteps += 1
                calls[key] = joined
                return []
            }
        case .accepted(let by):
            guard !joined.accepted else {
                counters.duplicateSteps += 1
                calls[key] = joined
                return []
            }
            if by == .unidentified, let provider = joined.provider { step = .accepted(by: provider) }
        default:
            break
        }
        return [record(step, in: &joined, from: source, key: key, at: event.at, name: event.name)]
    }

    /// Notes `step` on `joined`, stores it and returns the event for the joined row.
    private mutating func record(
        _ step: CallStep, in joined: inout JoinedCall, from source: Source, key: CallKey, at: Timestamp, name: String
    ) -> CallEvent {
        switch step {
        case .requested: joined.requested = true
        case .routed(let to):
            joined.provider = to
            joined.routedBy = source
        case .accepted(let by):
            joined.accepted = true
            if by != .unidentified { joined.provider = by }
        default: break
        }
        if step.isFinal {
            joined.ended = at
            ended.append((key, joined.order, at))
        }
        calls[key] = joined
        return CallEvent(call: joined.id, name: name, step: step, at: at)
    }

    private mutating func mapped(_ step: CallStep, from source: Source) -> CallStep {
        switch step {
        case .routed(let to): .routed(to: peer(to, from: source))
        case .accepted(let by): .accepted(by: peer(by, from: source))
        case .rejected(let by): .rejected(by: peer(by, from: source))
        default: step
        }
    }

    private mutating func forgetEnded(before now: Timestamp) {
        while endedHead < ended.count, now.since(ended[endedHead].at) > configuration.endedCallMemory {
            let entry = ended[endedHead]
            if let call = calls[entry.key], call.order == entry.order, call.ended != nil { calls[entry.key] = nil }
            endedHead += 1
        }
        if endedHead > 1024, endedHead * 2 > ended.count {
            ended.removeFirst(endedHead)
            endedHead = 0
        }
    }

    private mutating func makeRoom() {
        guard calls.count >= configuration.maximumCalls,
              let oldest = calls.min(by: { $0.value.order < $1.value.order }) else { return }
        calls[oldest.key] = nil
        counters.forgottenCalls += 1
    }
}
