import DeepstreamCluster
import DeepstreamProtocol
import Testing

/// `ClusterEvent.nodeState`: one whole-node snapshot per changed node, for the console's Nodes view.
@Suite struct NodeStateTests {
    private func payload(_ text: String) -> [UInt8] { Array(text.utf8) }
    private func status(_ node: String, _ score: Double) -> [UInt8] {
        payload(#"{"fromServer":"\#(node)","message":{"topic":9,"action":2,"serverName":"\#(node)","leaderScore":\#(score),"role":"deepstream"}}"#)
    }
    private func registry(_ node: String, _ body: String) -> [UInt8] {
        payload(#"{"fromServer":"\#(node)","message":{"topic":11,"registryTopic":13,\#(body)}}"#)
    }
    private func states(_ events: [ClusterEvent]) -> [(node: ClusterNode, leader: String?)] {
        events.compactMap { if case .nodeState(let node, let leader, _) = $0 { (node, leader) } else { nil } }
    }

    @Test func everyChangeOfANodeSendsItsWholeStateOnce() {
        var observer = ClusterObserver()
        let joined = states(observer.receive(channel: "9", payload: status("node-1", 0.9), at: at(0)))
        #expect(joined.map(\.node.name) == ["node-1"])
        #expect(joined[0].node.lastStatus == at(0) && joined[0].node.role == "deepstream" && joined[0].leader == "node-1")

        let added = states(observer.receive(channel: "11", payload: registry("node-1", #""action":2,"name":"f""#), at: at(0.5)))
        #expect(added.map(\.node.providedNames) == [["f"]])
        // The same ADD again changes nothing: no snapshot.
        #expect(states(observer.receive(channel: "11", payload: registry("node-1", #""action":2,"name":"f""#), at: at(0.6))).isEmpty)

        let wrongSum = states(observer.receive(channel: "11", payload: registry("node-1", #""action":6,"checksum":1"#), at: at(1)))
        #expect(wrongSum.map(\.node.checksumMismatch) == [true])
        #expect(wrongSum[0].node.lastChecksum == 1)
        let rightSum = ProviderChecksum.total(of: ["f"])
        let fixed = states(observer.receive(channel: "11", payload: registry("node-1", #""action":6,"checksum":\#(rightSum)"#), at: at(2)))
        #expect(fixed.map(\.node.checksumMismatch) == [false])

        // A second node with a higher score becomes leader; its snapshot says so.
        let second = states(observer.receive(channel: "9", payload: status("node-2", 0.95), at: at(3)))
        #expect(second.map(\.node.name) == ["node-2"] && second[0].leader == "node-2")

        // A call between them changes no node: no snapshot for the REQUEST.
        let request = payload(#"{"fromServer":"node-2","toServer":"node-1","message":{"topic":6,"action":2,"correlationId":"c","name":"f"}}"#)
        #expect(states(observer.receive(channel: "6", payload: request, at: at(3.5))).isEmpty)
        // A bounce off a registered provider is counted on the node.
        let bounce = payload(#"{"fromServer":"node-1","toServer":"node-2","message":{"topic":6,"action":100,"correlationId":"c","name":"f"}}"#)
        let bounced = states(observer.receive(channel: "6", payload: bounce, at: at(3.6)))
        #expect(bounced.map(\.node.bounces) == [["f": 1]])

        // node-1's last STATUS was at 0: after the 6 s timeout it is gone, its providers forgotten, and
        // node-2 (STATUS at 3) is still the leader.
        #expect(states(observer.tick(at: at(5.9))).isEmpty)
        let gone = states(observer.tick(at: at(6.1)))
        #expect(gone.map(\.node.name) == ["node-1"])
        #expect(gone[0].node.isAlive == false && gone[0].node.silentSince == at(6.1) && gone[0].node.providedNames.isEmpty)
        #expect(gone[0].leader == "node-2")
    }

    @Test(arguments: [("main", CaptureVectors.main), ("supplement", CaptureVectors.supplement)])
    func theLastSnapshotOfEveryNodeIsTheObserversNode(label: String, vector: CaptureVector) {
        var replay = ReplayTests.Replay()
        replay.play(vector)
        replay.advance(to: replay.clock + 0.3)
        var last: [String: ClusterNode] = [:]
        for case .nodeState(let node, _, _) in replay.events { last[node.name] = node }
        #expect(last.keys.sorted() == vector.nodes.sorted(), "\(label)")
        for node in replay.observer.nodes {
            var expected = node
            var seen = last[node.name]
            // lastSeen moves with every message without a snapshot (by design).
            expected.lastSeen = .init(nanoseconds: 0)
            seen?.lastSeen = .init(nanoseconds: 0)
            #expect(seen == expected, "\(label) \(node.name)")
        }
    }
}
