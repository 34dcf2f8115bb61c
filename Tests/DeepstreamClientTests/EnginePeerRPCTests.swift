import DeepstreamClient
import DeepstreamProtocol
import Testing

/// The engine against the scripted test peer over real sockets: the seed example, wire format and
/// every RPC outcome.
@Suite("ClientEngine against the scripted peer: RPC")
struct EnginePeerRPCTests {
    /// A started peer and a logged-in engine on it.
    static func connected(
        _ peer: TestPeer, options: ClientOptions = testOptions()
    ) async throws -> (ClientEngine, EventRecorder) {
        let port = await peer.port
        let engine = try ClientEngine(url: "127.0.0.1:\(port)", options: options)
        let recorder = EventRecorder(engine)
        try await engine.login()
        return (engine, recorder)
    }

    @Test("seed example: add-two-numbers 4 + 7 = 11, with the exact wire messages")
    func seedExample() async throws {
        let peer = TestPeer()
        try await peer.start()
        defer { Task { await peer.stop() } }
        let (provider, providerEvents) = try await Self.connected(peer)
        let (requestor, requestorEvents) = try await Self.connected(peer)

        try await provider.provide("add-two-numbers") { data, response, _ in
            let sum = (data?["numA"]?.intValue ?? 0) + (data?["numB"]?.intValue ?? 0)
            response.send(.int(sum))
        }
        try await providerEvents.waitFor("provide ack") {
            if case .providerAcknowledged("add-two-numbers", true, _) = $0 { return true } else { return false }
        }
        let result = try await requestor.make("add-two-numbers", data: ["numA": 4, "numB": 7])
        #expect(result == 11)

        // Wire: CHALLENGE, AUTH, PROVIDE as the spec says.
        let messages = await peer.messages
        let challenge = messages.compactMap { if case .connection(let m) = $0, m.action == .challenge { m } else { nil } }.first
        #expect(challenge?.url == "ws://127.0.0.1:\(await peer.port)/deepstream")
        #expect(challenge?.protocolVersion == "0.1a")
        #expect(challenge?.sdkType == "swift")
        #expect(challenge?.sdkVersion?.isEmpty == false)
        #expect(messages.contains(.auth(AuthMessage(action: .request, data: "{}"))))
        #expect(messages.contains(.rpc(RPCMessage(action: .provide, correlationId: "0", names: ["add-two-numbers"]))))
        let request = messages.compactMap { if case .rpc(let m) = $0, m.action == .request { m } else { nil } }.first
        #expect(request?.data == #"{"numA":4,"numB":7}"#)
        #expect(request?.name == "add-two-numbers")
        let cid = try #require(request?.correlationId)
        #expect(cid.contains("-"))
        #expect(messages.contains(.rpc(RPCMessage(action: .accept, correlationId: cid, name: "add-two-numbers"))))
        #expect(messages.contains(.rpc(RPCMessage(action: .response, data: "11", correlationId: cid, name: "add-two-numbers"))))
        // ACCEPT before RESPONSE.
        let acceptIndex = messages.firstIndex(of: .rpc(RPCMessage(action: .accept, correlationId: cid, name: "add-two-numbers")))
        let responseIndex = messages.firstIndex(of: .rpc(RPCMessage(action: .response, data: "11", correlationId: cid, name: "add-two-numbers")))
        #expect(acceptIndex! < responseIndex!)

        // Events on both sides.
        #expect(await requestorEvents.outgoingSteps == [
            .requested(data: #"{"numA":4,"numB":7}"#), .accepted(by: .unidentified), .responded(data: "11"),
        ])
        try await providerEvents.waitFor("served response") {
            if case .servedCall(let e, _) = $0, e.step == .responded(data: "11") { return true } else { return false }
        }
        #expect(await providerEvents.servedSteps == [
            .requested(data: #"{"numA":4,"numB":7}"#), .accepted(by: .unidentified), .responded(data: "11"),
        ])
        #expect(await requestor.state == .open)
        #expect(await requestorEvents.states == [.awaitingConnection, .challenging, .awaitingAuthentication, .authenticating, .open])
        await provider.close()
        await requestor.close()
    }
}
