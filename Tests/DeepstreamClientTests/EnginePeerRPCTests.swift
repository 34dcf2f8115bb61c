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
        try await requestorEvents.waitForOutgoing(.responded(data: "11"))
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

extension EnginePeerRPCTests {
    /// A script that answers every REQUEST for `name` with `action` (as the server would on its own).
    static func answering(_ name: String, with action: RPCAction, originalAction: RPCAction? = nil) -> TestPeer.Script {
        { _, message in
            guard case .rpc(let m) = message, m.action == .request, m.name == name else { return nil }
            return .reply([.rpc(RPCMessage(
                action: action, correlationId: m.correlationId, isError: originalAction == nil ? nil : true,
                name: name, originalAction: originalAction))])
        }
    }

    @Test("server error actions end the call with the matching RPCError", arguments: [
        (RPCAction.acceptTimeout, RPCError.acceptTimeout),
        (.responseTimeout, .responseTimeout),
        (.messageDenied, .messageDenied),
        (.messagePermissionError, .messagePermissionError),
        (.noRPCProvider, .noRPCProvider),
        (.invalidMessageData, .unexpectedReply(.invalidMessageData)),
    ])
    func serverErrors(action: RPCAction, expected: RPCError) async throws {
        let peer = TestPeer()
        try await peer.start()
        await peer.setScript(Self.answering("x", with: action, originalAction: action.rawValue >= 106 ? .request : nil))
        let (engine, events) = try await Self.connected(peer)
        await #expect(throws: expected) { try await engine.make("x", data: "abc") }
        try await events.waitForOutgoing(.failed(reason: action))
        #expect(await events.outgoingSteps.last == .failed(reason: action))
        await engine.close()
        await peer.stop()
    }

    @Test("NO_RPC_PROVIDER from the peer's own routing when nobody provides the name")
    func noProvider() async throws {
        let peer = TestPeer()
        try await peer.start()
        let (engine, _) = try await Self.connected(peer)
        await #expect(throws: RPCError.noRPCProvider) { try await engine.make("nobody") }
        await engine.close()
        await peer.stop()
    }

    @Test("REQUEST_ERROR carries the provider's error value; data absent stays nil")
    func requestError() async throws {
        let peer = TestPeer()
        try await peer.start()
        let (provider, providerEvents) = try await Self.connected(peer)
        let (requestor, _) = try await Self.connected(peer)
        try await provider.provide("fails") { data, response, _ in
            response.error(data == nil ? nil : ["code": 42, "why": "always errors"])
        }
        try await providerEvents.waitFor { if case .providerAcknowledged = $0 { true } else { false } }
        await #expect(throws: RPCError.requestError(["code": 42, "why": "always errors"])) {
            try await requestor.make("fails", data: 1)
        }
        await #expect(throws: RPCError.requestError(nil)) { try await requestor.make("fails") }
        // error() synchronously in the handler: no ACCEPT goes out (autoAccept is off after settling).
        let accepts = await peer.messages.filter { if case .rpc(let m) = $0 { m.action == .accept } else { false } }
        #expect(accepts.isEmpty)
        await provider.close()
        await requestor.close()
        await peer.stop()
    }

    @Test("the async provide form answers with the body's result or its thrown error")
    func asyncProvider() async throws {
        let peer = TestPeer()
        try await peer.start()
        let (provider, providerEvents) = try await Self.connected(peer)
        let (requestor, _) = try await Self.connected(peer)
        try await provider.provide("echo") { request in
            try await Task.sleep(for: .milliseconds(10))
            if request.data == "boom" { throw RPCProviderError(["boom": true]) }
            return request.data
        }
        try await providerEvents.waitFor { if case .providerAcknowledged = $0 { true } else { false } }
        #expect(try await requestor.make("echo", data: ["a": [1, 2]]) == ["a": [1, 2]])
        #expect(try await requestor.make("echo") == nil)
        await #expect(throws: RPCError.requestError(["boom": true])) { try await requestor.make("echo", data: "boom") }
        await provider.close()
        await requestor.close()
        await peer.stop()
    }

    @Test("a request over the client's maxMessageSize is refused before sending; the connection stays up")
    func messageTooBigForTheClient() async throws {
        let peer = TestPeer()
        try await peer.start()
        var options = testOptions()
        options.maxMessageSize = 200
        let (engine, events) = try await Self.connected(peer, options: options)
        let big = JSONValue.string(String(repeating: "x", count: 300))
        do {
            _ = try await engine.make("x", data: big)
            Issue.record("expected messageTooBig")
        } catch {
            guard case .messageTooBig(let size, .client(200)) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(size > 300)
            #expect(error.description == "message too big: the request is \(size) bytes, over the client's maxMessageSize of 200 bytes; it was not sent")
        }
        try await events.waitFor("abandoned: message too big") {
            if case .outgoingCall(let e) = $0, case .abandoned(let reason) = e.step { reason.hasPrefix("message too big: the request is ") } else { false }
        }
        let requests = await peer.messages.filter { if case .rpc(let m) = $0 { m.action == .request } else { false } }
        #expect(requests.isEmpty)
        #expect(await engine.state == .open)
        await #expect(throws: RPCError.noRPCProvider) { try await engine.make("x", data: "small") }
        await engine.close()
        await peer.stop()
    }

    @Test("client-side timeout ends the call; the late RESPONSE is ignored quietly")
    func clientTimeout() async throws {
        let peer = TestPeer()
        try await peer.start()
        let (provider, providerEvents) = try await Self.connected(peer)
        let (requestor, requestorEvents) = try await Self.connected(peer)
        let responses = ResponseBox()
        try await provider.provide("slow") { _, response, _ in
            Task { await responses.put(response) }
        }
        try await providerEvents.waitFor { if case .providerAcknowledged = $0 { true } else { false } }
        await #expect(throws: RPCError.timeout(.milliseconds(100))) {
            try await requestor.make("slow", timeout: .milliseconds(100))
        }
        try await requestorEvents.waitForOutgoing(.abandoned(reason: "timeout"))
        // The provider answers late: the requestor drops it without an error event.
        let response = try await responses.take()
        response.send("late")
        try await requestorEvents.waitFor("late frame") {
            if case .frame(.inbound, .rpc(let m)?, _, _) = $0, m.action == .response { true } else { false }
        }
        #expect(await requestorEvents.errorKinds.isEmpty)
        await provider.close()
        await requestor.close()
        await peer.stop()
    }

    @Test("cancelling the awaiting task ends the call with cancelled, exactly once")
    func cancellation() async throws {
        let peer = TestPeer()
        try await peer.start()
        let (provider, providerEvents) = try await Self.connected(peer)
        let (requestor, requestorEvents) = try await Self.connected(peer)
        let responses = ResponseBox()
        try await provider.provide("never") { _, response, _ in
            Task { await responses.put(response) }
        }
        try await providerEvents.waitFor { if case .providerAcknowledged = $0 { true } else { false } }
        let task = Task { try await requestor.make("never") }
        let response = try await responses.take()
        task.cancel()
        await #expect(throws: RPCError.cancelled) { try await task.value }
        response.send(1)
        try await requestorEvents.waitFor("late frame") {
            if case .frame(.inbound, .rpc(let m)?, _, _) = $0, m.action == .response { true } else { false }
        }
        let finals = await requestorEvents.outgoingSteps.filter(\.isFinal)
        #expect(finals == [.abandoned(reason: "cancelled")])
        #expect(await requestorEvents.errorKinds.isEmpty)
        // Already cancelled before the call: fails at once, nothing sent.
        let before = await peer.messages.count
        let early = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await requestor.make("never")
        }
        await #expect(throws: RPCError.cancelled) { try await early.value }
        #expect(await peer.messages.count == before)
        await provider.close()
        await requestor.close()
        await peer.stop()
    }

    @Test("requestor details reach the handler when the server sends them")
    func requestorDetails() async throws {
        let peer = TestPeer()
        try await peer.start()
        await peer.addUser("userA", password: "a", clientData: nil)
        await peer.addUser("userB", password: "b", clientData: ["favorite color": "orange", "id": "userB"])
        await peer.setProvideRequestorDetails(true)
        let port = await peer.port
        let provider = try ClientEngine(url: "127.0.0.1:\(port)", options: testOptions())
        let requestor = try ClientEngine(url: "ws://127.0.0.1:\(port)", options: testOptions())
        let providerEvents = EventRecorder(provider)
        try await provider.login(username: "userA", password: "a")
        let clientData = try await requestor.login(username: "userB", password: "b")
        #expect(clientData == ["favorite color": "orange", "id": "userB"])
        try await provider.provide("who") { _, response, requestor in
            response.send(["name": requestor?.name.map(JSONValue.string) ?? .null, "data": requestor?.data ?? .null])
        }
        try await providerEvents.waitFor { if case .providerAcknowledged = $0 { true } else { false } }
        let answer = try await requestor.make("who")
        #expect(answer == ["name": "userB", "data": ["favorite color": "orange", "id": "userB"]])
        let served = await providerEvents.events.compactMap { if case .servedCall(_, let r) = $0 { r } else { nil } }
        #expect(served.first == RequestorDetails(name: "userB", data: ["favorite color": "orange", "id": "userB"]))
        await provider.close()
        await requestor.close()
        await peer.stop()
    }
}

/// Hands an RPCResponse from a handler to the test.
actor ResponseBox {
    private var responses: [RPCResponse] = []
    func put(_ response: RPCResponse) { responses.append(response) }
    func take(timeout: Duration = .seconds(5)) async throws -> RPCResponse {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if !responses.isEmpty { return responses.removeFirst() }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw TestTimeout(what: "a response object")
    }
}
