import DeepstreamCluster
import DeepstreamProtocol
import Testing

/// `cluster --proxy`: the proxy's and the bus's views of one call become one row.
@Suite struct ProxyClusterJoinTests {
    private func call(_ requestor: UInt64?, _ cid: String, _ step: CallStep, _ t: Double, name: String = "f") -> TrafficEvent {
        .call(CallEvent(call: CallID(requestor: requestor.map(PeerID.init), correlationId: cid), name: name, step: step, at: at(t)))
    }

    private func calls(_ events: [TrafficEvent]) -> [CallEvent] {
        events.compactMap { if case .call(let c) = $0 { c } else { nil } }
    }

    /// Proxy: app #1 (alice); bus: node-a #1 (the proxied node), node-b #2.
    private func joinWithPeers() -> (ProxyClusterJoin, alice: PeerID, nodeA: PeerID, nodeB: PeerID) {
        var join = ProxyClusterJoin()
        _ = join.receive(.connected(peer: PeerID(1), remoteAddress: "127.0.0.1:5000", format: .binary, at: at(0)), from: .proxy)
        _ = join.receive(.loggedIn(peer: PeerID(1), user: "alice", clientData: nil, at: at(0)), from: .proxy)
        _ = join.receive(.connected(peer: PeerID(1), remoteAddress: "node-a", format: .json, at: at(0)), from: .bus)
        _ = join.receive(.connected(peer: PeerID(2), remoteAddress: "node-b", format: .json, at: at(0)), from: .bus)
        return (join, join.peer(PeerID(1), from: .proxy), join.peer(PeerID(1), from: .bus), join.peer(PeerID(2), from: .bus))
    }

    @Test func peersOfTheTwoViewsNeverCollide() {
        let (join, alice, nodeA, nodeB) = joinWithPeers()
        #expect(Set([alice, nodeA, nodeB]).count == 3)
        #expect([alice, nodeA, nodeB] == [PeerID(1), PeerID(2), PeerID(3)])
        var copy = join
        #expect(copy.peer(.unidentified, from: .proxy) == .unidentified)
        // A proxy connection's id is freed when it closes (the next one with the same id is new); a
        // node's id stays for the Nodes view.
        _ = copy.receive(.disconnected(peer: PeerID(1), reason: "closed", at: at(1)), from: .proxy)
        #expect(copy.peer(PeerID(1), from: .proxy) == PeerID(4))
        _ = copy.receive(.disconnected(peer: PeerID(2), reason: "silent", at: at(1)), from: .bus)
        #expect(copy.peer(PeerID(2), from: .bus) == nodeB)
    }

    @Test("app behind the proxy calls a provider on another node: one row, routed to that node")
    func requestorBehindTheProxy() {
        var (join, alice, _, nodeB) = joinWithPeers()
        var out: [TrafficEvent] = []
        out += join.receive(call(1, "c1", .requested(data: "1"), 1.000), from: .proxy)
        out += join.receive(call(1, "c1", .requested(data: "1"), 1.002), from: .bus)
        out += join.receive(call(1, "c1", .routed(to: PeerID(2)), 1.002), from: .bus)
        out += join.receive(call(1, "c1", .accepted(by: PeerID(2)), 1.004), from: .bus)
        out += join.receive(call(1, "c1", .accepted(by: .unidentified), 1.005), from: .proxy)
        out += join.receive(call(1, "c1", .responded(data: "2"), 1.008), from: .bus)
        out += join.receive(call(1, "c1", .responded(data: "2"), 1.009), from: .proxy)
        let steps = calls(out)
        #expect(steps.map(\.step) == [.requested(data: "1"), .routed(to: nodeB), .accepted(by: nodeB), .responded(data: "2")])
        #expect(Set(steps.map(\.call)) == [CallID(requestor: alice, correlationId: "c1")])
        #expect(steps.last?.at == at(1.008))
        #expect(join.counters.joinedCalls == 1 && join.counters.duplicateSteps == 3)
    }

    @Test("a proxy's accepted(by: unseen) names the node the bus routed to when it comes first")
    func acceptFromTheProxyFirst() {
        var (join, _, _, nodeB) = joinWithPeers()
        _ = join.receive(call(1, "c2", .requested(data: nil), 1), from: .proxy)
        _ = join.receive(call(1, "c2", .routed(to: PeerID(2)), 1.001), from: .bus)
        let accepted = calls(join.receive(call(1, "c2", .accepted(by: .unidentified), 1.002), from: .proxy))
        #expect(accepted.map(\.step) == [.accepted(by: nodeB)])
        #expect(calls(join.receive(call(1, "c2", .accepted(by: PeerID(2)), 1.003), from: .bus)).isEmpty)
    }

    @Test("another node calls a provider behind the proxy: the bus's row, routed to the node, accepted by the app")
    func providerBehindTheProxy() {
        var (join, alice, nodeA, nodeB) = joinWithPeers()
        var out: [TrafficEvent] = []
        out += join.receive(call(2, "c3", .requested(data: "{}"), 2.000), from: .bus)
        out += join.receive(call(2, "c3", .routed(to: PeerID(1)), 2.000), from: .bus)
        out += join.receive(call(0, "c3", .routed(to: PeerID(1)), 2.001), from: .proxy)
        out += join.receive(call(0, "c3", .accepted(by: PeerID(1)), 2.002), from: .proxy)
        out += join.receive(call(2, "c3", .accepted(by: PeerID(1)), 2.003), from: .bus)
        out += join.receive(call(0, "c3", .errored(data: "\"no\""), 2.004), from: .proxy)
        out += join.receive(call(2, "c3", .errored(data: "\"no\""), 2.005), from: .bus)
        let steps = calls(out)
        // The proxy's own routing (node-a → alice) is the same route: no second `routed`, so no reroute.
        #expect(steps.map(\.step) == [.requested(data: "{}"), .routed(to: nodeA), .accepted(by: alice), .errored(data: "\"no\"")])
        #expect(Set(steps.map(\.call)) == [CallID(requestor: nodeB, correlationId: "c3")])
        #expect(join.counters.duplicateSteps == 3)
    }

    @Test("calls only one view sees pass through; names keep same ids apart")
    func singleViewCalls() {
        var (join, alice, nodeA, _) = joinWithPeers()
        let local = calls(join.receive(call(1, "c4", .requested(data: nil), 3), from: .proxy))
        let other = calls(join.receive(call(1, "c4", .requested(data: nil), 3, name: "g"), from: .bus))
        #expect(local.map(\.call.requestor) == [alice])
        #expect(other.map(\.call.requestor) == [nodeA])
        #expect(join.counters.joinedCalls == 0)
    }

    @Test("an ended call swallows the other view's late steps for a while, then is forgotten; a reused id is a new row")
    func endedCallsAreRememberedThenForgotten() {
        var join = ProxyClusterJoin(configuration: .init(endedCallMemory: .seconds(10)))
        _ = join.receive(call(1, "c5", .requested(data: nil), 1), from: .proxy)
        _ = join.receive(call(1, "c5", .responded(data: nil), 1.1), from: .proxy)
        #expect(calls(join.receive(call(1, "c5", .responded(data: nil), 1.2), from: .bus)).isEmpty)
        // The same client reusing the id for a new call: a new row.
        #expect(calls(join.receive(call(1, "c5", .requested(data: "2"), 2), from: .proxy)).map(\.step) == [.requested(data: "2")])
        _ = join.receive(call(1, "c5", .responded(data: nil), 2.1), from: .proxy)
        #expect(join.trackedCallCount == 1)
        _ = join.receive(call(1, "other", .requested(data: nil), 12.2), from: .proxy)
        #expect(join.trackedCallCount == 1)  // c5 forgotten, `other` open
    }

    @Test func openCallsAreCapped() {
        var join = ProxyClusterJoin(configuration: .init(maximumCalls: 3))
        for index in 0..<5 { _ = join.receive(call(1, "c\(index)", .requested(data: nil), Double(index)), from: .proxy) }
        #expect(join.trackedCallCount == 3)
        #expect(join.counters.forgottenCalls == 2)
    }
}
