import CallRecording
import DeepstreamProtocol

/// Turns the calls of a recording into the traffic events the console shows (`dsconsole open`): the
/// same ``EngineEvent/traffic(_:)`` vocabulary the embedded broker reports, so the Calls pane, the
/// detail view, the filter and the Stats view treat a recorded call exactly like a live one.
///
/// A recording keeps user names but not the requestor's connection, and its provider connection
/// numbers belong to another server's run. So peers are numbered afresh in order of appearance: every
/// requestor name and every recorded provider connection gets a number of its own, announced once
/// with a `loggedIn` event carrying the recorded user name. Routes then read `#1 alice → #2 bob`, and
/// equal correlation ids of different requestors stay apart.
package struct RecordingFeed: Sendable {
    /// Most peers remembered; beyond this the numbering starts over (only names on rows are at stake).
    static let peerLimit = 100_000
    private var requestorPeers: [String: PeerID] = [:]
    private var providerPeers: [PeerID: PeerID] = [:]
    private var announced: [PeerID: String] = [:]
    private var nextPeer: UInt64 = 1

    /// Creates a feed for one recording.
    package init() {}

    /// The events for one recorded call, in order: peer announcements first, then every step, then
    /// which payloads the recording did not keep (if any).
    package mutating func events(for call: RecordedCall) -> [EngineEvent] {
        if requestorPeers.count + providerPeers.count >= Self.peerLimit {
            requestorPeers.removeAll(keepingCapacity: true)
            providerPeers.removeAll(keepingCapacity: true)
            announced.removeAll(keepingCapacity: true)
            nextPeer = 1
        }
        var events: [EngineEvent] = []
        events.reserveCapacity(call.timeline.count + 2)
        let start = call.startedAt ?? Timestamp(nanoseconds: 0)
        let requestorName = call.requestor ?? ""
        let requestor: PeerID
        if let known = requestorPeers[requestorName] {
            requestor = known
        } else {
            requestor = newPeer()
            requestorPeers[requestorName] = requestor
            if let name = call.requestor { announce(requestor, name, at: start, into: &events) }
        }
        let id = CallID(requestor: requestor, correlationId: call.correlationId)
        for step in call.timeline {
            var shown = step.step
            switch step.step {
            case .routed(let recorded), .accepted(let recorded), .rejected(let recorded):
                let peer = providerPeers[recorded] ?? {
                    let peer = newPeer()
                    providerPeers[recorded] = peer
                    return peer
                }()
                if let user = step.peerName { announce(peer, user, at: step.at, into: &events) }
                switch step.step {
                case .routed: shown = .routed(to: peer)
                case .accepted: shown = .accepted(by: peer)
                default: shown = .rejected(by: peer)
                }
            default:
                break
            }
            events.append(.traffic(.call(CallEvent(call: id, name: call.name, step: shown, at: step.at))))
        }
        if call.requestNotKeptBytes != nil || call.responseNotKeptBytes != nil {
            events.append(.traffic(.payloadsNotKept(
                call: id, name: call.name, request: call.requestNotKeptBytes, response: call.responseNotKeptBytes,
                at: call.timeline.last?.at ?? start)))
        }
        return events
    }

    private mutating func newPeer() -> PeerID {
        defer { nextPeer += 1 }
        return PeerID(nextPeer)
    }

    private mutating func announce(_ peer: PeerID, _ user: String, at: Timestamp, into events: inout [EngineEvent]) {
        guard announced[peer] != user else { return }
        announced[peer] = user
        events.append(.traffic(.loggedIn(peer: peer, user: user, clientData: nil, at: at)))
    }
}
