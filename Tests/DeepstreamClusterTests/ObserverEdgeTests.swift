import DeepstreamCluster
import DeepstreamProtocol
import Testing

/// Hand-written bus traffic for what the captures do not contain.
@Suite struct ObserverEdgeTests {
    private func payload(_ text: String) -> [UInt8] { Array(text.utf8) }
    private func status(_ node: String, _ score: Double = 0.5) -> [UInt8] {
        payload(#"{"fromServer":"\#(node)","message":{"topic":9,"action":2,"serverName":"\#(node)","leaderScore":\#(score),"role":"deepstream"}}"#)
    }
    private func warnings(_ events: [ClusterEvent]) -> [ClusterWarning] {
        events.compactMap { if case .warning(let w) = $0 { w } else { nil } }
    }

    @Test func badBytesAndUnknownTopicsAreCountedNotFatal() {
        var observer = ClusterObserver()
        var events = observer.receive(channel: "9", payload: [0xFF, 0xFE], at: at(0))
        events += observer.receive(channel: "9", payload: [0xFF, 0xFE], at: at(0.1))
        events += observer.receive(channel: "42", payload: payload(#"{"fromServer":"x","message":{"topic":42,"action":1}}"#), at: at(0.2))
        events += observer.receive(channel: "6", payload: payload(#"{"fromServer":"x","message":{"topic":9,"action":2}}"#), at: at(0.3))
        events += observer.receive(channel: "9", payload: payload(#"{"fromServer":"x","message":{"topic":9,"action":77}}"#), at: at(0.4))
        #expect(observer.counters.badPayloads == 2)
        #expect(observer.counters.unknownMessages == 3)
        let kinds = warnings(events).map(\.kind)
        #expect(kinds == [.badPayload, .unknownMessage, .unknownMessage, .unknownMessage])  // the 2nd bad payload only counted
        events = observer.receive(channel: "9", payload: status("node-1"), at: at(1))
        #expect(observer.node(named: "node-1")?.lastStatus == at(1))
    }

    @Test func repeatedProblemsAreReportedAtPowersOfTen() {
        var observer = ClusterObserver()
        var reported: [Int] = []
        for i in 1...150 where !warnings(observer.receive(channel: "9", payload: [0x00], at: at(Double(i)))).isEmpty {
            reported.append(i)
        }
        #expect(reported == [1, 10, 100])
        #expect(observer.counters.badPayloads == 150)
    }

    @Test func silentBusIsReportedOnceUntilSomethingArrives() {
        var observer = ClusterObserver()
        observer.busSubscribed(at: at(0))
        #expect(warnings(observer.tick(at: at(9.9))).isEmpty)
        let first = warnings(observer.tick(at: at(10)))
        #expect(first.map(\.kind) == [.busSilent])
        #expect(first[0].message.contains("deepstream cluster"))
        #expect(warnings(observer.tick(at: at(25))).isEmpty)
        _ = observer.receive(channel: "9", payload: status("node-1"), at: at(26))
        #expect(warnings(observer.tick(at: at(35.9))).map(\.kind) == [])  // node-1's silence is a node event
        #expect(warnings(observer.tick(at: at(36))).map(\.kind) == [.busSilent])
    }

    @Test func nodeSilenceRemovesItsProvidersAndARejoinGetsANewPeer() {
        var observer = ClusterObserver()
        var events = observer.receive(channel: "9", payload: status("node-1", 0.9), at: at(0))
        events += observer.receive(channel: "9", payload: status("node-2", 0.4), at: at(0))
        events += observer.receive(
            channel: "11", payload: payload(#"{"fromServer":"node-2","message":{"topic":11,"registryTopic":13,"action":2,"name":"f"}}"#),
            at: at(0.1))
        #expect(observer.leader == "node-1")
        let firstPeer = observer.node(named: "node-1")!.peer
        _ = observer.receive(channel: "9", payload: status("node-2", 0.4), at: at(5))
        #expect(observer.tick(at: at(6)).isEmpty)
        events = observer.tick(at: at(6.1))
        #expect(events.contains(.traffic(.disconnected(
            peer: firstPeer, reason: "silent: nothing since \(at(0)) (6.1 s, timeout 6.0 s)", at: at(6.1)))))
        #expect(observer.leader == "node-2")
        _ = observer.receive(channel: "9", payload: status("node-2", 0.4), at: at(10))
        events = observer.tick(at: at(16.2))
        #expect(events.contains(.traffic(.providerRemoved(peer: observer.node(named: "node-2")!.peer, name: "f", at: at(16.2)))))
        #expect(observer.node(named: "node-2")?.providedNames == [])
        events = observer.receive(channel: "9", payload: status("node-1", 0.9), at: at(20))
        let rejoined = observer.node(named: "node-1")!
        #expect(rejoined.isAlive)
        #expect(rejoined.peer != firstPeer)
        #expect(observer.nodeName(for: firstPeer) == "node-1")
        #expect(events.contains(.traffic(.connected(peer: rejoined.peer, remoteAddress: "node-1", format: .json, at: at(20)))))
    }

    @Test func fullStateReplacesAndChecksumMismatchClearsWhenItMatchesAgain() {
        var observer = ClusterObserver()
        _ = observer.receive(channel: "9", payload: status("n"), at: at(0))
        let peer = observer.node(named: "n")!.peer
        var events = observer.receive(
            channel: "11", payload: payload(#"{"fromServer":"n","message":{"topic":11,"registryTopic":13,"action":6,"checksum":3145837}}"#),
            at: at(1))
        #expect(warnings(events).map(\.kind) == [.checksumMismatch])
        #expect(observer.node(named: "n")!.checksumMismatch)
        events = observer.receive(
            channel: "11",
            payload: payload(#"{"fromServer":"n","toServer":"m","message":{"topic":11,"registryTopic":13,"action":5,"fullState":["flip"]}}"#),
            at: at(2))
        #expect(events.contains(.traffic(.providerAdded(peer: peer, name: "flip", at: at(2)))))
        events = observer.receive(
            channel: "11", payload: payload(#"{"fromServer":"n","message":{"topic":11,"registryTopic":13,"action":6,"checksum":3145837}}"#),
            at: at(3))
        #expect(warnings(events).isEmpty)
        #expect(!observer.node(named: "n")!.checksumMismatch)
        // Other registries (ONLINE_USERS here) are not provider lists.
        _ = observer.receive(
            channel: "11", payload: payload(#"{"fromServer":"n","message":{"topic":11,"registryTopic":10,"action":2,"name":"u"}}"#),
            at: at(4))
        #expect(observer.node(named: "n")!.providedNames == ["flip"])
    }

    @Test func callWithoutAnswerIsAbandonedAndOpenCallsAreBounded() {
        var observer = ClusterObserver(configuration: .init(callExpiry: .seconds(10), maximumOpenCalls: 2))
        func request(_ id: String, _ t: Double) -> [ClusterEvent] {
            observer.receive(
                channel: "6",
                payload: payload(#"{"fromServer":"a","toServer":"b","message":{"topic":6,"names":[],"action":2,"data":"1","correlationId":"\#(id)","name":"x"}}"#),
                at: at(t))
        }
        _ = request("c1", 0)
        _ = request("c2", 1)
        let overflow = request("c3", 2)
        #expect(overflow.contains { if case .traffic(.call(let c)) = $0 { c.call.correlationId == "c1" && c.step == .abandoned(reason: "too many open calls") } else { false } })
        #expect(observer.counters.droppedCalls == 1)
        let expired = observer.tick(at: at(11.5)).compactMap { if case .traffic(.call(let c)) = $0 { c } else { nil } }
        #expect(expired.map(\.call.correlationId) == ["c2"])
        #expect(expired.first?.step == .abandoned(reason: "no answer seen on the bus"))
        #expect(observer.openCallCount == 1)
    }
}
