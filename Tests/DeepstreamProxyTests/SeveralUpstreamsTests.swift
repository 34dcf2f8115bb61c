import DeepstreamProtocol
import DeepstreamProxy
import Testing

/// One proxy in front of two nodes (stand-in servers acting like two nodes of a cluster): connection
/// numbers are unique, user names carry their node, and a call that crosses nodes is one call.
@Suite("Several upstreams")
struct SeveralUpstreamsTests {
    @Test("a cross-node call seen on two listeners is one call, requestor and provider named with their node")
    func crossNodeCall() async throws {
        let nodeA = try await RawServer.start()
        let nodeB = try await RawServer.start()
        var configurations: [ProxyConfiguration] = []
        for node in [nodeA, nodeB] {
            var configuration = ProxyConfiguration(upstream: .init(host: "127.0.0.1", port: node.port))
            configuration.port = 0
            configurations.append(configuration)
        }
        let proxy = try Proxy(configurations: configurations)
        let events = EventCollector(proxy.events())
        _ = try await proxy.start()
        let ports = proxy.addresses.compactMap(\.port)
        #expect(ports.count == 2)
        let codec = BinaryCodec()
        func client(_ message: Message) -> [UInt8] { clientFrame(opcode: 2, codec.encode(message)) }
        func server(_ message: Message) -> [UInt8] { serverFrame(opcode: 2, codec.encode(message)) }

        let requestor = try await RawConnection.webSocket(port: ports[0])
        let provider = try await RawConnection.webSocket(port: ports[1])
        let toA = try await nodeA.connection(0)
        let toB = try await nodeB.connection(0)
        try await requestor.send(client(.auth(AuthMessage(action: .request, data: #"{"username":"bob","password":"x"}"#))))
        try await provider.send(client(.auth(AuthMessage(action: .request, data: #"{"username":"alice"}"#))))
        try await eventually("both logins upstream") { !toA.received.isEmpty && !toB.received.isEmpty }
        try await toA.send(server(.auth(AuthMessage(action: .authSuccessful))))
        try await toB.send(server(.auth(AuthMessage(action: .authSuccessful))))
        try await events.waitFor("both logged in") { all in
            all.filter { if case .loggedIn = $0 { true } else { false } }.count == 2
        }
        // bob on node A calls; node A hands the call to node B, which sends it to alice.
        let (atA, atB) = (toA.received.count, toB.received.count)
        let atAlice = server(.auth(AuthMessage(action: .authSuccessful))).count
        try await requestor.send(client(.rpc(RPCMessage(action: .request, data: "1", correlationId: "c1", name: "x"))))
        try await eventually("request on node A") { toA.received.count > atA }
        try await toB.send(server(.rpc(RPCMessage(action: .request, data: "1", correlationId: "c1", name: "x"))))
        let request = server(.rpc(RPCMessage(action: .request, data: "1", correlationId: "c1", name: "x")))
        try await eventually("request at alice") { provider.receivedAfterHead.count >= atAlice + request.count }
        try await provider.send(client(.rpc(RPCMessage(action: .response, data: "2", correlationId: "c1", name: "x"))))
        try await eventually("response on node B") { toB.received.count > atB }
        try await toA.send(server(.rpc(RPCMessage(action: .response, data: "2", correlationId: "c1", name: "x"))))
        try await events.waitFor("the call ends") { _ in events.steps.contains { $0.hasPrefix("x #1 responded") } }
        #expect(events.steps == ["x #1 requested", "x #1 routed #2", "x #1 responded 2"])
        let users = events.all.compactMap { event -> String? in
            if case .loggedIn(let peer, let user, _, _) = event { "\(peer) \(user)" } else { nil }
        }
        #expect(Set(users) == ["#1 bob@127.0.0.1:\(nodeA.port)", "#2 alice@127.0.0.1:\(nodeB.port)"])
        #expect(proxy.statistics.connectionsAccepted == 2)
        await requestor.close()
        await provider.close()
        await nodeA.stop()
        await nodeB.stop()
        await proxy.shutdown()
    }
}
