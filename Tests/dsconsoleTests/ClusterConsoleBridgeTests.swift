@testable import dsconsole
import ConsoleCore
import DeepstreamCluster
import DeepstreamProtocol
import Testing

/// The bridge between the cluster feed and the console, without Redis or a terminal.
@Suite("Cluster console bridge")
struct ClusterConsoleBridgeTests {
    private static func at(_ ms: Int) -> Timestamp { Timestamp(nanoseconds: 1_764_000_000_000_000_000 + UInt64(ms) * 1_000_000) }

    @Test("traffic the console does not take in time is dropped oldest first and reported as engine drops")
    func dropsAreCounted() async {
        let (feed, sink) = AsyncStream.makeStream(of: ClusterFeedEvent.self)
        for index in 0..<25_000 {
            sink.yield(.cluster(.traffic(.providerAdded(peer: PeerID(1), name: "n\(index)", at: Self.at(index)))))
        }
        sink.finish()
        let streams = ClusterConsoleBridge.split(feed, redis: RedisEndpoint(host: "127.0.0.1"))
        var dropped = 0
        for await notice in streams.notices {
            if case .dropped(let count) = notice { dropped += count }
        }
        #expect(dropped == 5_000)
        var names: [String] = []
        for await event in streams.traffic {
            if case .providerAdded(_, let name, _) = event { names.append(name) }
        }
        #expect(names.count == 20_000 && names.first == "n5000" && names.last == "n24999")
    }

    @Test("a node's snapshot carries the peer id its traffic got, and the bus state goes to the Nodes view")
    func nodeStatesUseTheJoinedPeer() async {
        let (proxy, proxySink) = AsyncStream.makeStream(of: TrafficEvent.self)
        let (feed, sink) = AsyncStream.makeStream(of: ClusterFeedEvent.self)
        let streams = ClusterConsoleBridge.split(
            feed, redis: RedisEndpoint(host: "127.0.0.1"), proxy: proxy, proxyUpstream: "ws://node-a:6020")
        // The proxy's peer 1 comes first, so the bus's peer 1 (node-a) becomes #2.
        proxySink.yield(.connected(peer: PeerID(1), remoteAddress: "127.0.0.1:5000", format: .binary, at: Self.at(0)))
        var traffic = streams.traffic.makeAsyncIterator()
        #expect(await traffic.next() == .connected(peer: PeerID(1), remoteAddress: "127.0.0.1:5000", format: .binary, at: Self.at(0)))
        sink.yield(.connection(.subscribed(channels: ["6", "9", "11"], at: Self.at(1))))
        sink.yield(.cluster(.traffic(.connected(peer: PeerID(1), remoteAddress: "node-a", format: .json, at: Self.at(2)))))
        var node = ClusterNode(name: "node-a", peer: PeerID(1), at: Self.at(2))
        node.lastStatus = Self.at(2)
        sink.yield(.cluster(.nodeState(node, leader: "node-a", at: Self.at(2))))
        sink.finish()
        #expect(await traffic.next() == .connected(peer: PeerID(2), remoteAddress: "node-a", format: .json, at: Self.at(2)))
        var actions: [ConsoleAction] = []
        for await action in streams.actions { actions.append(action) }
        #expect(actions.count == 3)
        #expect(actions.first == .cluster(.proxied(upstream: "ws://node-a:6020")))
        #expect(actions.dropFirst().first == .cluster(.bus(.subscribed, redis: "127.0.0.1:6379", at: Self.at(1))))
        guard case .cluster(.node(let info, let leader, _))? = actions.last else {
            Issue.record("no node state: \(actions)")
            return
        }
        #expect(info.peer == PeerID(2) && info.name == "node-a" && leader == "node-a" && info.lastStatus == Self.at(2))
    }
}
