import DeepstreamProtocol

/// Assembles the steps of calls (from a broker's tap, a proxy or an engine) into ``FinishedCall``s,
/// for consumers that keep no call log of their own (`dsconsole watch --stats`).
///
/// Bounded: at most `capacity` calls are followed at once; when a new call would exceed that, the
/// oldest followed call is forgotten and counted in ``evictedCalls``.
///
/// With `keepingDetails`, every finished call also carries its ``FinishedCall/Details`` (correlation id,
/// user names, request/response text, timeline) for `dsconsole record`; statistics consumers leave it
/// off and keep nothing per step.
package struct CallTracker: Sendable {
    private struct Open: Sendable {
        var name: String
        var startedAt: Timestamp
        var acceptedAt: Timestamp?
        var provider: PeerID?
        var wasRejected = false
        var details: FinishedCall.Details?
    }

    /// How many unfinished calls are followed at most.
    package let capacity: Int
    /// Whether finished calls carry their ``FinishedCall/Details``.
    package let keepsDetails: Bool
    private var open: [CallID: Open] = [:]
    private var arrival: [CallID?] = []
    private var nextArrival = 0
    private var users: [PeerID: String] = [:]
    /// Unfinished calls forgotten to stay within ``capacity``.
    package private(set) var evictedCalls = 0

    /// Creates a tracker following at most `capacity` unfinished calls.
    package init(capacity: Int = 100_000, keepingDetails: Bool = false) {
        self.capacity = max(1, capacity)
        self.keepsDetails = keepingDetails
    }

    /// Calls seen but not yet finished.
    package var openCalls: Int { open.count }

    /// Takes one traffic event; returns the call it finished, if any.
    package mutating func observe(_ event: TrafficEvent) -> FinishedCall? {
        switch event {
        case .loggedIn(let peer, let user, _, _):
            users[peer] = user
            return nil
        case .disconnected(let peer, _, _):
            users[peer] = nil
            return nil
        case .call(let call):
            return observe(call)
        case .connected, .loginFailed, .frame, .providerAdded, .providerRemoved, .payloadsNotKept:
            return nil
        }
    }

    /// Takes one step of a call; returns the call if this step finished it.
    package mutating func observe(_ event: CallEvent) -> FinishedCall? {
        observe(event, requestorName: nil)
    }

    /// Takes one step of a call, with the requestor's user name when the observer knows it (a served
    /// call's `requestorName`); returns the call if this step finished it.
    package mutating func observe(_ event: CallEvent, requestorName: String?) -> FinishedCall? {
        var call = open[event.call] ?? startFollowing(event)
        if keepsDetails { record(event, requestorName: requestorName, in: &call) }
        switch event.step {
        case .requested:
            call.startedAt = min(call.startedAt, event.at)
        case .routed(let peer):
            call.provider = peer
        case .accepted(let peer):
            call.provider = peer
            if call.acceptedAt == nil { call.acceptedAt = event.at }
        case .rejected:
            call.wasRejected = true
        case .responded, .errored, .failed, .denied, .abandoned, .steered:
            break
        }
        guard let outcome = CallOutcomeKind(finalStep: event.step) else {
            open[event.call] = call
            return nil
        }
        open[event.call] = nil
        return FinishedCall(
            name: call.name, provider: call.provider.map(label), outcome: outcome,
            acceptLatency: call.acceptedAt.map { $0.since(call.startedAt) },
            totalLatency: event.at.since(call.startedAt), wasRerouted: call.wasRejected, endedAt: event.at,
            details: call.details
        )
    }

    private func record(_ event: CallEvent, requestorName: String?, in call: inout Open) {
        var details = call.details ?? FinishedCall.Details(
            correlationId: event.call.correlationId,
            requestor: requestorName ?? event.call.requestor.flatMap { users[$0] })
        if details.requestor == nil, let requestorName { details.requestor = requestorName }
        var peerName: String?
        switch event.step {
        case .requested(let data):
            details.requestData = data
        case .responded(let data), .errored(let data):
            details.responseData = data
        case .routed(let peer), .accepted(let peer), .rejected(let peer):
            peerName = users[peer]
        case .failed, .denied, .steered, .abandoned:
            break
        }
        details.timeline.append(FinishedCall.Step(step: event.step, at: event.at, peerName: peerName))
        call.details = details
    }

    private mutating func startFollowing(_ event: CallEvent) -> Open {
        if arrival.count < capacity {
            arrival.append(event.call)
        } else {
            if let oldest = arrival[nextArrival], open.removeValue(forKey: oldest) != nil { evictedCalls += 1 }
            arrival[nextArrival] = event.call
            nextArrival = (nextArrival + 1) % capacity
        }
        return Open(name: event.name, startedAt: event.at, details: nil)
    }

    private func label(_ peer: PeerID) -> String {
        if peer == .unidentified { return "(unknown)" }
        return users[peer] ?? peer.description
    }
}
