import DeepstreamCluster
import DeepstreamProtocol
import Testing

/// The observer fed with the reference captures at their recorded times (ticking every 100 ms of
/// capture time in between) must rebuild exactly the nodes, provider lists and calls they contain.
@Suite struct ReplayTests {
    struct Replay {
        var observer = ClusterObserver()
        var events: [ClusterEvent] = []
        var calls = ObservedCalls()
        var clock = 0.0

        mutating func advance(to t: Double) {
            while clock + 0.1 <= t {
                clock += 0.1
                take(observer.tick(at: at(clock)))
            }
        }

        mutating func take(_ new: [ClusterEvent]) {
            events += new
            let observer = self.observer
            calls.record(new) { observer.nodeName(for: $0) }
        }

        mutating func play(_ vector: CaptureVector, until limit: Double = .infinity) {
            observer.busSubscribed(at: at(0))
            for frame in vector.frames where frame.t <= limit {
                advance(to: frame.t)
                take(observer.receive(channel: frame.channel, payload: frame.payload, at: at(frame.t)))
            }
        }

        var warnings: [ClusterWarning] {
            events.compactMap { if case .warning(let w) = $0 { w } else { nil } }
        }
    }

    @Test(arguments: [("main", CaptureVectors.main), ("supplement", CaptureVectors.supplement)])
    func rebuildsNodesProvidersAndCalls(label: String, vector: CaptureVector) {
        var replay = Replay()
        replay.play(vector)
        replay.advance(to: replay.clock + 0.3)  // let the reroute window of the last bounce pass
        #expect(replay.observer.nodes.map(\.name) == vector.nodes.sorted(), "\(label)")
        for node in replay.observer.nodes where node.isAlive {
            #expect(node.providedNames == vector.finalProviders[node.name] ?? [], "\(label) \(node.name)")
            #expect(!node.checksumMismatch, "\(label) \(node.name)")
        }
        #expect(replay.calls.list == vector.calls, "\(label)")
        #expect(replay.observer.openCallCount == 0)
        #expect(replay.warnings.filter { $0.kind == .checksumMismatch }.isEmpty, "\(label): \(replay.warnings)")
        #expect(replay.observer.counters.badPayloads == 0)
        #expect(replay.observer.counters.unknownMessages == 0)
        // One providerBounced warning per NO_RPC_PROVIDER from a node registered for the name.
        var bounces: [String: Int] = [:]
        for warning in replay.warnings where warning.kind == .providerBounced {
            bounces["\(warning.node ?? "?")/\(warning.name ?? "?")", default: 0] += 1
        }
        #expect(bounces == vector.bounces, "\(label)")
        #expect(replay.observer.counters.messages == vector.frames.count)
    }

    @Test func providerListsAtTheScenarioPointsOfTheMainCapture() {
        var replay = Replay()
        replay.play(CaptureVectors.main, until: 7.3)
        #expect(replay.observer.node(named: "node-1")?.providedNames == ["add-two-numbers", "only-1"])
        #expect(replay.observer.node(named: "node-3")?.providedNames == ["add-two-numbers"])
        #expect(replay.observer.node(named: "node-1")?.lastChecksum == 2_862_723_821)
        #expect(replay.observer.node(named: "node-3")?.lastChecksum == 3_874_932_893)
        #expect(replay.observer.leader == "node-1")  // leaderScore 0.957
    }

    @Test func nodeKilledInTheMainCaptureGoesSilentAfterTheInactivityTimeout() {
        var replay = Replay()
        replay.play(CaptureVectors.main)
        let lastStatus = CaptureVectors.main.lastStatus["node-3"]!
        let silent = replay.events.compactMap { event -> NodeEvent? in
            if case .node(let node) = event, node.change == .silent { node } else { nil }
        }
        #expect(silent.map(\.node) == ["node-3"])
        let when = Double(silent[0].at.nanoseconds - replayEpoch.nanoseconds) / 1e9
        #expect(when > lastStatus + 6 && when <= lastStatus + 6.1 + 1e-6)
        #expect(silent[0].lastStatus == at(lastStatus))
        let disconnected = replay.events.contains {
            if case .traffic(.disconnected(let peer, let reason, _)) = $0 {
                replay.observer.nodeName(for: peer) == "node-3" && reason.hasPrefix("silent")
            } else { false }
        }
        #expect(disconnected)
        #expect(replay.observer.node(named: "node-1")?.isAlive == true)
        #expect(replay.observer.node(named: "node-3")?.isAlive == false)
    }

    @Test func callTimelinesKeepTheBusTimes() {
        var replay = Replay()
        replay.play(CaptureVectors.main)
        let first = replay.calls.order[0]
        let steps = replay.calls.steps[first]!.map(\.step)
        #expect(steps.count == 4)
        guard case .requested(let data) = steps[0] else { Issue.record("\(steps)"); return }
        #expect(data == #"{"numA":4,"numB":7}"#)
        guard case .responded(let answer) = steps[3] else { Issue.record("\(steps)"); return }
        #expect(answer == "11")
        let events = replay.calls.steps[first]!
        // ACCEPT #110 at 8.122865 − REQUEST #109 at 8.120414 = 2.451 ms (±1 µs of Double rounding).
        let accept = events[2].at.since(events[0].at)
        #expect(accept > .nanoseconds(2_450_000) && accept < .nanoseconds(2_452_000))
    }

    @Test func staleProviderOfTheSupplementIsFlagged() {
        var replay = Replay()
        replay.play(CaptureVectors.supplement)
        let bounced = replay.warnings.filter { $0.kind == .providerBounced && $0.node == "node-3" }
        #expect(bounced.count == 8)
        #expect(bounced.allSatisfy { $0.name == "flip" })
        #expect(replay.observer.node(named: "node-3")?.providedNames == ["flip"])
    }

    @Test func observerStartedLateWarnsOnTheFirstChecksum() {
        var replay = Replay()
        // Start between node-1's ADDs (#103-#104) and its CHECKSUMs (#105-#106): the bus view of node-1
        // is empty, its announced checksum is not.
        replay.observer.busSubscribed(at: at(6.505))
        for frame in CaptureVectors.main.frames where frame.t > 6.505 && frame.t < 7.3 {
            replay.take(replay.observer.receive(channel: frame.channel, payload: frame.payload, at: at(frame.t)))
        }
        let mismatches = replay.warnings.filter { $0.kind == .checksumMismatch }
        #expect(mismatches.map(\.node) == ["node-1"])  // once, not once per CHECKSUM
        #expect(mismatches.first?.message.contains("2862723821") == true)
        #expect(replay.observer.node(named: "node-1")?.checksumMismatch == true)
        #expect(replay.observer.node(named: "node-3")?.checksumMismatch == false)
    }
}
