import DeepstreamBroker
import DeepstreamClient
import DeepstreamProtocol
import DeepstreamProxy
import RPCSteering
import Testing

/// `hold` in proxy mode (issue 13): the pure decision and the frames it makes.
@Suite("Proxy hold: the pure steering of held REQUESTs")
struct ProxyHoldDecisionTests {
    static let codec = BinaryCodec()

    /// A masked client frame carrying `message`, as the cutter hands it over.
    static func clientFrame(_ message: Message) -> CutFrame {
        var cutter = FrameCutter(expectingResponseHead: false)
        let bytes = FrameCutter.binaryFrame(codec.encode(message), maskKey: (9, 8, 7, 6))
        guard case .frame(let frame)? = cutter.cut(bytes).first else { fatalError("not a frame") }
        return frame
    }

    static func request(_ name: String, _ cid: String, data: String? = "1") -> CutFrame {
        clientFrame(.rpc(RPCMessage(action: .request, data: data, correlationId: cid, name: name)))
    }

    static func steering(_ rules: String) throws -> ProxySteering {
        ProxySteering(rules: try SteeringRules(parsing: rules, file: "rules.json"), random: SystemRandomNumberGenerator())
    }

    static func decoded(_ payload: [UInt8]) -> RPCMessage? {
        guard case .rpc(let rpc)? = try? codec.decode(payload) else { return nil }
        return rpc
    }

    @Test("A hold rule keeps the REQUEST (step hold), other frames and names pass; released as is: the original bytes, once")
    func holdAndRelease() throws {
        var steering = try Self.steering(#"{"rules": [{"match": "pay*", "action": "hold"}]}"#)
        let frame = Self.request("pay", "c1")
        let outcome = steering.clientFrame(frame)
        #expect(outcome.action == .hold)
        #expect(outcome.step == .steered(rule: 1, action: "hold", detail: nil))
        #expect(outcome.name == "pay" && outcome.correlationId == "c1")
        #expect(steering.held.count == 1)
        // Later frames of the connection go on: another call, a second name.
        #expect(steering.clientFrame(Self.request("other", "c2")).action == .forward)
        #expect(steering.clientFrame(Self.request("pay", "c3")).action == .hold)
        let releasedOutcome = steering.resolveHeld(correlationId: "c1", .release(data: nil))
        let released = try #require(releasedOutcome)
        #expect(released.action == .releaseRaw(frame.raw))
        #expect(released.step == .steered(rule: 1, action: "released", detail: nil))
        #expect(steering.resolveHeld(correlationId: "c1", .release(data: nil)) == nil, "a second resolution is ignored")
        #expect(steering.held.keys.sorted() == ["c3"])
    }

    @Test("Edited release: a new REQUEST with the same name and id and the typed data; non-JSON is refused and the call stays held")
    func editedRelease() throws {
        var steering = try Self.steering(#"{"rules": [{"match": "pay", "action": "hold"}]}"#)
        _ = steering.clientFrame(Self.request("pay", "c1", data: #"{"amount":1}"#))
        #expect(steering.resolveHeld(correlationId: "c1", .release(data: "{not json")) == nil)
        #expect(steering.held["c1"] != nil)
        let outcomeOutcome = steering.resolveHeld(correlationId: "c1", .release(data: #"{"amount":99}"#))
        let outcome = try #require(outcomeOutcome)
        guard case .answerServer(let payload) = outcome.action else {
            Issue.record("expected a frame to the server, got \(outcome.action)")
            return
        }
        let request = try #require(Self.decoded(payload))
        #expect(request.action == .request && request.name == "pay" && request.correlationId == "c1")
        #expect(request.data == #"{"amount":99}"#)
        #expect(outcome.step == .steered(rule: 1, action: "released-edited", detail: #"{"amount":99}"#))
    }

    @Test("Answered by hand (RESPONSE, REQUEST_ERROR), rejected (NO_RPC_PROVIDER) and dropped: the client's frames and the steps")
    func answers() throws {
        var steering = try Self.steering(#"{"rules": [{"match": "x", "action": "hold"}]}"#)
        for cid in ["a", "b", "c", "d"] { #expect(steering.clientFrame(Self.request("x", cid)).action == .hold) }

        let respondOutcome = steering.resolveHeld(correlationId: "a", .respond(data: "42"))
        let respond = try #require(respondOutcome)
        guard case .answerClient(let response) = respond.action else { Issue.record("\(respond.action)"); return }
        #expect(Self.decoded(response) == RPCMessage(action: .response, data: "42", correlationId: "a", name: "x"))
        #expect(respond.step == .steered(rule: 1, action: "answered", detail: "42"))

        let failOutcome = steering.resolveHeld(correlationId: "b", .fail(error: #""no""#))
        let fail = try #require(failOutcome)
        guard case .answerClient(let error) = fail.action else { Issue.record("\(fail.action)"); return }
        #expect(Self.decoded(error) == RPCMessage(action: .requestError, data: #""no""#, correlationId: "b", name: "x"))

        let rejectOutcome = steering.resolveHeld(correlationId: "c", .reject)
        let reject = try #require(rejectOutcome)
        guard case .answerClient(let none) = reject.action else { Issue.record("\(reject.action)"); return }
        #expect(Self.decoded(none) == RPCMessage(action: .noRPCProvider, correlationId: "c", name: "x"))
        #expect(reject.step == .steered(rule: 1, action: "rejected-by-hand", detail: "NO_RPC_PROVIDER"))

        let dropOutcome = steering.resolveHeld(correlationId: "d", .drop)
        let drop = try #require(dropOutcome)
        #expect(drop.action == .drop)
        #expect(drop.step == .steered(rule: 1, action: "dropped-by-hand", detail: nil))
        #expect(steering.held.isEmpty)
    }

    @Test("Bounded: beyond 100 held calls the hold rule is skipped and counted, and the next rule decides")
    func limit() throws {
        var steering = try Self.steering(#"""
            {"rules": [{"match": "x", "action": "hold"}, {"match": "x", "action": "fail", "error": "busy"}]}
            """#)
        for index in 0..<ProxySteering.heldLimit {
            #expect(steering.clientFrame(Self.request("x", "c\(index)")).action == .hold)
        }
        let beyond = steering.clientFrame(Self.request("x", "extra"))
        guard case .answerClient = beyond.action else {
            Issue.record("expected the fail rule's answer, got \(beyond.action)")
            return
        }
        #expect(beyond.step == .steered(rule: 2, action: "fail", detail: #""busy""#))
        #expect(steering.skippedHolds == 1 && steering.held.count == ProxySteering.heldLimit)
        let skipped = steering.takeSkippedHold()
        #expect(skipped?.step == .steered(rule: 1, action: "hold-skipped", detail: "100 held on this connection (at most 100 calls, 16 MiB)"))
        #expect(skipped?.correlationId == "extra" && steering.takeSkippedHold() == nil)
        // One resolved: there is room again.
        _ = steering.resolveHeld(correlationId: "c0", .drop)
        #expect(steering.clientFrame(Self.request("x", "again")).action == .hold)
        // The connection ends: every held call is handed back, oldest first, and forgotten.
        let ended = steering.endHeld()
        #expect(ended.count == ProxySteering.heldLimit)
        #expect(ended.first?.correlationId == "c1" && ended.last?.correlationId == "again")
        #expect(steering.held.isEmpty)
    }

    @Test("Headless (watch --proxy: nobody can resolve a held call): hold rules are skipped, later rules decide")
    func headless() throws {
        let rules = try SteeringRules(parsing: #"""
            {"rules": [{"match": "x", "action": "hold"}, {"match": "x", "action": "delay", "ms": 5}]}
            """#, file: "rules.json")
        var steering = ProxySteering(rules: rules, random: SystemRandomNumberGenerator(), holdsCalls: false)
        let outcome = steering.clientFrame(Self.request("x", "c"))
        #expect(outcome.action == .delay(milliseconds: 5))
        #expect(steering.held.isEmpty && steering.skippedHolds == 0)
    }

    @Test("Observer: a held call outlives the call lifetime; a resolution lets it age again; heldEnded ends it as abandoned")
    func observer() {
        var observer = ProxyObserver(callLifetime: .seconds(60))
        let peer = PeerID(1)
        let start = Timestamp(nanoseconds: 1_000_000_000)
        _ = observer.handle(.opened(peer, remoteAddress: "127.0.0.1", path: "/deepstream", at: start))
        let payload = Self.codec.encode(.rpc(RPCMessage(action: .request, data: "1", correlationId: "c1", name: "x")))
        let request = ScannedMessage(kind: .binary, payload: payload, wireBytes: payload.count + 2)
        _ = observer.handle(.message(peer, .inbound, request, at: start))
        _ = observer.handle(.steered(name: "x", correlationId: "c1", step: .steered(rule: 1, action: "hold", detail: nil), at: start))
        let later = start.advanced(by: .seconds(600))
        #expect(observer.handle(.tick(later)).isEmpty, "held: not evicted")
        let ended = observer.handle(.heldEnded(name: "x", correlationId: "c1", reason: "gone", at: later))
        #expect(ended == [.call(CallEvent(call: CallID(requestor: peer, correlationId: "c1"), name: "x", step: .abandoned(reason: "gone"), at: later))])
        #expect(observer.pendingCallCount == 0)
    }
}

/// `hold` in proxy mode through real sockets: real client engines through the real proxy to the
/// embedded broker; the test resolves held calls as the console does, with `Proxy.resolveHeld`.
@Suite("Proxy hold: held REQUESTs between real sockets")
struct ProxyHoldTests {
    /// The (requestor, correlation id) of the calls of `name` held so far, in order.
    static func heldCalls(_ events: EventCollector, _ name: String) -> [CallID] {
        events.all.compactMap { event -> CallID? in
            guard case .call(let call) = event, call.name == name, case .steered(_, "hold", _) = call.step else { return nil }
            return call.call
        }
    }

    /// The steps of one call, as ``stepText(_:)`` writes them.
    static func steps(_ events: EventCollector, _ id: CallID) -> [String] {
        events.all.compactMap { event -> String? in
            guard case .call(let call) = event, call.call == id else { return nil }
            return stepText(call)
        }
    }

    @Test("Held: released as is, released edited, answered by hand, rejected, dropped; others pass meanwhile; a disconnect ends it")
    func everyResolution() async throws {
        let (broker, brokerPort) = try await EngineThroughProxyTests.broker()
        let rules = try SteeringRules(parsing: #"{"rules": [{"match": "held", "action": "hold"}]}"#, file: "rules.json")
        let (proxy, port) = try await startProxy(upstreamPort: brokerPort) { $0.steering = rules }
        let events = EventCollector(proxy.events(includingFrames: false))
        let provider = try EngineThroughProxyTests.engine(port: port)
        let requestor = try EngineThroughProxyTests.engine(port: port)
        _ = try await provider.login(["username": "P"])
        _ = try await requestor.login(["username": "R"])
        let seen = SeenData()
        try await provider.provide("held") { data, response, _ in
            Task { await seen.add(data?.jsonText ?? "null") }
            response.send(data)
        }
        try await provider.provide("free") { data, response, _ in response.send(data) }
        try await events.waitFor("providers registered") { all in
            all.filter { if case .providerAdded = $0 { true } else { false } }.count == 2
        }

        // 1. Held, while another call on the same connection passes; then released as is.
        let first = Task { try await requestor.make("held", data: ["n": 1]) }
        try await events.waitFor("first held") { _ in Self.heldCalls(events, "held").count == 1 }
        #expect(try await requestor.make("free", data: "meanwhile") == "meanwhile", "holding blocks nothing else")
        #expect(await seen.all.isEmpty, "the provider has not seen the held request")
        let one = Self.heldCalls(events, "held")[0]
        await proxy.resolveHeld(peer: try #require(one.requestor), correlationId: one.correlationId, .release(data: nil))
        #expect(try await first.value == ["n": 1])

        // 2. Released with edited data: the provider sees the edited data.
        let second = Task { try await requestor.make("held", data: ["n": 2]) }
        try await events.waitFor("second held") { _ in Self.heldCalls(events, "held").count == 2 }
        let two = Self.heldCalls(events, "held")[1]
        await proxy.resolveHeld(peer: two.requestor!, correlationId: two.correlationId, .release(data: "not json"))
        await proxy.resolveHeld(peer: two.requestor!, correlationId: two.correlationId, .release(data: #"{"n":20}"#))
        #expect(try await second.value == ["n": 20])
        #expect(await seen.all == [#"{"n":1}"#, #"{"n":20}"#])

        // 3. Answered by hand: RESPONSE, then REQUEST_ERROR; the provider never sees them.
        let third = Task { try await requestor.make("held", data: 3) }
        try await events.waitFor("third held") { _ in Self.heldCalls(events, "held").count == 3 }
        let three = Self.heldCalls(events, "held")[2]
        await proxy.resolveHeld(peer: three.requestor!, correlationId: three.correlationId, .respond(data: #"{"by":"hand"}"#))
        #expect(try await third.value == ["by": "hand"])
        let fourth = Task { try await requestor.make("held", data: 4) }
        try await events.waitFor("fourth held") { _ in Self.heldCalls(events, "held").count == 4 }
        let four = Self.heldCalls(events, "held")[3]
        await proxy.resolveHeld(peer: four.requestor!, correlationId: four.correlationId, .fail(error: #""refused by hand""#))
        await #expect(throws: RPCError.requestError("refused by hand")) { try await fourth.value }

        // 4. Rejected: NO_RPC_PROVIDER, as the server answers when no provider takes a call.
        let fifth = Task { try await requestor.make("held", data: 5) }
        try await events.waitFor("fifth held") { _ in Self.heldCalls(events, "held").count == 5 }
        let five = Self.heldCalls(events, "held")[4]
        await proxy.resolveHeld(peer: five.requestor!, correlationId: five.correlationId, .reject)
        await #expect(throws: RPCError.noRPCProvider) { try await fifth.value }

        // 5. Dropped: nothing reaches the client, whose own timeout ends the call.
        let sixth = Task { try await requestor.make("held", data: 6, timeout: .milliseconds(800)) }
        try await events.waitFor("sixth held") { _ in Self.heldCalls(events, "held").count == 6 }
        let six = Self.heldCalls(events, "held")[5]
        await proxy.resolveHeld(peer: six.requestor!, correlationId: six.correlationId, .drop)
        switch await sixth.result {
        case .success:
            Issue.record("a dropped call was answered")
        case .failure(let error):
            guard case .timeout? = error as? RPCError else {
                Issue.record("expected the client's own timeout, got \(error)")
                return
            }
        }
        #expect(await seen.all.count == 2, "only the two released calls reached the provider")

        // The timelines: hold, then what happened.
        try await events.waitFor("timelines") { _ in
            let steps = events.steps.filter { $0.hasPrefix("held ") }
            return steps.contains { $0.contains("steered 1 released -") }
                && steps.contains { $0.contains(#"steered 1 released-edited {"n":20}"#) }
                && steps.contains { $0.contains(#"steered 1 answered {"by":"hand"}"#) }
                && steps.contains { $0.contains(#"responded {"by":"hand"}"#) }
                && steps.contains { $0.contains(#"steered 1 answered-error "refused by hand""#) }
                && steps.contains { $0.contains("steered 1 rejected-by-hand NO_RPC_PROVIDER") }
                && steps.contains { $0.contains("failed NO_RPC_PROVIDER") }
                && steps.contains { $0.contains("steered 1 dropped-by-hand") }
                && steps.contains { $0.contains("abandoned dropped in the proxy") }
        }
        let sixSteps = Self.steps(events, six)
        #expect(sixSteps.map { $0.split(separator: " ")[2] } == ["requested", "steered", "steered", "abandoned"], "\(sixSteps)")

        // 6. A held call whose client disconnects ends, and says so.
        let seventh = Task { try? await requestor.make("held", data: 7) }
        try await events.waitFor("seventh held") { _ in Self.heldCalls(events, "held").count == 7 }
        let seven = Self.heldCalls(events, "held")[6]
        await requestor.close()
        _ = await seventh.value
        try await events.waitFor("the held call ends with its connection") { _ in
            Self.steps(events, seven).last?.contains("abandoned the connection ended while it was held in the proxy") == true
        }
        // Resolving it now does nothing.
        await proxy.resolveHeld(peer: seven.requestor!, correlationId: seven.correlationId, .release(data: nil))
        #expect(await seen.all.count == 2)

        await provider.close()
        await proxy.shutdown()
        await broker.shutdown()
    }
}

extension ProxyHoldTests {
    @Test("Bounded through sockets: the 101st held call on a connection is forwarded (hold-skipped, counted); closing ends all 100")
    func limitThroughSockets() async throws {
        let (broker, brokerPort) = try await EngineThroughProxyTests.broker()
        let rules = try SteeringRules(parsing: #"{"rules": [{"match": "held", "action": "hold"}]}"#, file: "rules.json")
        let (proxy, port) = try await startProxy(upstreamPort: brokerPort) { $0.steering = rules }
        let events = EventCollector(proxy.events(bufferingNewest: 100_000, includingFrames: false))
        let provider = try EngineThroughProxyTests.engine(port: port)
        let requestor = try EngineThroughProxyTests.engine(port: port)
        _ = try await provider.login(["username": "P"])
        _ = try await requestor.login(["username": "R"])
        try await provider.provide("held") { data, response, _ in response.send(data) }
        try await events.waitFor("provider registered") { all in
            all.contains { if case .providerAdded = $0 { true } else { false } }
        }
        var waiting: [Task<JSONValue?, Never>] = []
        for index in 0..<ProxySteering.heldLimit {
            waiting.append(Task { try? await requestor.make("held", data: .int(index)) })
        }
        try await events.waitFor("100 held", timeout: .seconds(20)) { _ in Self.heldCalls(events, "held").count == ProxySteering.heldLimit }
        // One more: not held, answered by the provider; its timeline says why.
        #expect(try await requestor.make("held", data: "one too many") == "one too many")
        #expect(proxy.statistics.holdsSkipped == 1)
        try await events.waitFor("the hold-skipped step") { _ in
            events.steps.contains { $0.contains("steered 1 hold-skipped 100 held on this connection") }
        }
        await requestor.close()
        for task in waiting { _ = await task.value }
        try await events.waitFor("every held call ends with the connection", timeout: .seconds(20)) { _ in
            events.steps.filter { $0.contains("abandoned the connection ended while it was held") }.count == ProxySteering.heldLimit
        }
        await provider.close()
        await proxy.shutdown()
        await broker.shutdown()
    }
}

extension ProxyHoldTests {
    /// The RPC messages in whole frames of `bytes` (JSON text frames), in order.
    static func jsonMessages(_ bytes: [UInt8]) -> [(frame: CutFrame, rpc: RPCMessage)] {
        var cutter = FrameCutter(expectingResponseHead: false)
        return cutter.cut(bytes).compactMap { piece in
            guard case .frame(let frame) = piece, case .rpc(let rpc)? = try? JSONCodec().decode(frame.payload) else { return nil }
            return (frame, rpc)
        }
    }

    @Test("JSON endpoint: a held text REQUEST; released edited as a masked JSON text frame, answered by hand as an unmasked one")
    func jsonEndpoint() async throws {
        let upstream = try await RawServer.start()
        let rules = try SteeringRules(parsing: #"{"rules": [{"match": "held", "action": "hold"}]}"#, file: "rules.json")
        let (proxy, port) = try await startProxy(upstreamPort: upstream.port) { $0.steering = rules }
        let events = EventCollector(proxy.events(includingFrames: false))
        let client = try await RawConnection.webSocket(port: port, target: "/deepstream-json")
        let server = try await upstream.connection(0)
        let json = JSONCodec()
        for (cid, data) in [("j1", #"{"n":1}"#), ("j2", #"{"n":2}"#)] {
            let request = Message.rpc(RPCMessage(action: .request, data: data, correlationId: cid, name: "held"))
            try await client.send(clientFrame(opcode: 1, Array(json.encode(request).utf8)))
        }
        let other = clientFrame(opcode: 1, Array(json.encode(.rpc(RPCMessage(action: .request, data: "3", correlationId: "j3", name: "free"))).utf8))
        try await client.send(other)
        // The held ones stay in the proxy; the later frame passes with its own bytes.
        try await eventually("the free request upstream") { server.received == other }
        try await events.waitFor("both held") { _ in Self.heldCalls(events, "held").count == 2 }
        let held = Self.heldCalls(events, "held")
        let peer = try #require(held[0].requestor)
        await proxy.resolveHeld(peer: peer, correlationId: "j1", .release(data: #"{"n":10}"#))
        try await eventually("the edited request upstream") { Self.jsonMessages(server.received).count == 2 }
        let released = Self.jsonMessages(server.received)[1]
        #expect(released.frame.opcode == 1 && released.frame.raw[1] & 0x80 != 0, "a masked text frame")
        #expect(released.rpc == RPCMessage(action: .request, data: #"{"n":10}"#, correlationId: "j1", name: "held"))
        await proxy.resolveHeld(peer: peer, correlationId: "j2", .respond(data: #""by hand""#))
        try await eventually("the answer to the client") { !Self.jsonMessages(client.receivedAfterHead).isEmpty }
        let answer = Self.jsonMessages(client.receivedAfterHead)[0]
        #expect(answer.frame.opcode == 1 && answer.frame.raw[1] & 0x80 == 0, "an unmasked text frame")
        #expect(answer.rpc == RPCMessage(action: .response, data: #""by hand""#, correlationId: "j2", name: "held"))
        await client.close()
        await upstream.stop()
        await proxy.shutdown()
    }
}

/// Data a provider was called with, in order.
actor SeenData {
    private(set) var all: [String] = []
    func add(_ text: String) { all.append(text) }
}
