import DeepstreamClient
import DeepstreamProtocol
import Testing

/// The provider side against the scripted peer: provide/unprovide traffic, RPCResponse semantics,
/// refusals and server error replies.
@Suite("ClientEngine against the scripted peer: providers")
struct EnginePeerProviderTests {
    static func rpcs(_ peer: TestPeer, _ action: RPCAction) async -> [RPCMessage] {
        await peer.messages.compactMap { if case .rpc(let m) = $0, m.action == action { m } else { nil } }
    }

    @Test("provide/unprovide: batched, counter ids per connection, acks reported; misuse throws")
    func provideTraffic() async throws {
        let peer = TestPeer()
        try await peer.start()
        let (engine, events) = try await EnginePeerRPCTests.connected(peer, options: testOptions(batch: .milliseconds(50)))
        try await engine.provide("a") { _, r, _ in r.send() }
        try await engine.provide("b") { _, r, _ in r.send() }
        await #expect(throws: ProviderError.alreadyProvided("a")) { try await engine.provide("a") { _, r, _ in r.send() } }
        await #expect(throws: ProviderError.invalidName) { try await engine.provide("") { _, r, _ in r.send() } }
        await #expect(throws: ProviderError.notProvided("zzz")) { try await engine.unprovide("zzz") }
        try await events.waitForCount(2, "acks") { if case .providerAcknowledged(_, true, _) = $0 { true } else { false } }
        #expect(await Self.rpcs(peer, .provide) == [RPCMessage(action: .provide, correlationId: "0", names: ["a", "b"])])
        try await engine.unprovide("a")
        try await events.waitFor { if case .providerAcknowledged("a", false, _) = $0 { true } else { false } }
        #expect(await Self.rpcs(peer, .unprovide) == [RPCMessage(action: .unprovide, correlationId: "1", names: ["a"])])
        // Provide then unprovide within one window sends nothing.
        try await engine.provide("c") { _, r, _ in r.send() }
        try await engine.unprovide("c")
        try await waitUntil("the batch window ended") { await !engine.armedTimers.contains(.engine(.subscriptionBatch)) }
        #expect(await Self.rpcs(peer, .provide).count == 1)
        #expect(await engine.providedNames == ["b"])
        await engine.close()
        await peer.stop()
    }

    @Test("subscriptionInterval 0 sends one PROVIDE per name at once")
    func unbatched() async throws {
        let peer = TestPeer()
        try await peer.start()
        let (engine, events) = try await EnginePeerRPCTests.connected(peer, options: testOptions(batch: .zero))
        try await engine.provide("a") { _, r, _ in r.send() }
        try await engine.provide("b") { _, r, _ in r.send() }
        try await events.waitForCount(2, "acks") { if case .providerAcknowledged(_, true, _) = $0 { true } else { false } }
        #expect(await Self.rpcs(peer, .provide) == [
            RPCMessage(action: .provide, correlationId: "0", names: ["a"]),
            RPCMessage(action: .provide, correlationId: "1", names: ["b"]),
        ])
        await engine.close()
        await peer.stop()
    }

    @Test("a REQUEST for a name not provided is auto-REJECTed")
    func autoReject() async throws {
        let peer = TestPeer()
        try await peer.start()
        let (engine, events) = try await EnginePeerRPCTests.connected(peer)
        await peer.push(.rpc(RPCMessage(action: .request, data: "1", correlationId: "r1", name: "gone")), to: 1)
        try await events.waitForServed(.rejected(by: .unidentified))
        _ = try await peer.waitForMessage { $0 == .rpc(RPCMessage(action: .reject, correlationId: "r1", name: "gone")) }
        #expect(await events.servedSteps == [.requested(data: "1"), .rejected(by: .unidentified)])
        await engine.close()
        await peer.stop()
    }

    @Test("autoAccept off: reject sends only REJECT; later accept and send keep their order")
    func manualAcceptAndReject() async throws {
        let peer = TestPeer()
        try await peer.start()
        let (provider, providerEvents) = try await EnginePeerRPCTests.connected(peer)
        let (requestor, _) = try await EnginePeerRPCTests.connected(peer)
        try await provider.provide("picky") { data, response, _ in
            response.autoAccept = false
            if data == "no" {
                response.reject()
                return
            }
            Task.detached {
                try? await Task.sleep(for: .milliseconds(20))
                response.accept()
                response.accept()
                response.send(data)
            }
        }
        try await providerEvents.waitFor { if case .providerAcknowledged = $0 { true } else { false } }
        await #expect(throws: RPCError.noRPCProvider) { try await requestor.make("picky", data: "no") }
        #expect(try await requestor.make("picky", data: "yes") == "yes")
        let accepts = await Self.rpcs(peer, .accept)
        #expect(accepts.count == 1)
        #expect(await Self.rpcs(peer, .reject).count == 1)
        await provider.close()
        await requestor.close()
        await peer.stop()
    }

    @Test("a handler that drops its response unanswered: the served call is reported abandoned and forgotten")
    func unanswered() async throws {
        let peer = TestPeer()
        try await peer.start()
        let (provider, providerEvents) = try await EnginePeerRPCTests.connected(peer)
        try await provider.provide("ignore") { _, _, _ in }
        try await providerEvents.waitFor { if case .providerAcknowledged = $0 { true } else { false } }
        await peer.push(.rpc(RPCMessage(action: .request, correlationId: "q1", name: "ignore")), to: 1)
        try await providerEvents.waitForServed(.abandoned(reason: "not answered"))
        #expect(await providerEvents.servedSteps == [.requested(data: nil), .accepted(by: .unidentified), .abandoned(reason: "not answered")])
        _ = try await peer.waitForMessage { $0 == .rpc(RPCMessage(action: .accept, correlationId: "q1", name: "ignore")) }
        await provider.close()
        await peer.stop()
    }

    @Test("a response settles once: a second send is dropped and reported")
    func settleOnce() async throws {
        let peer = TestPeer()
        try await peer.start()
        let (provider, providerEvents) = try await EnginePeerRPCTests.connected(peer)
        let (requestor, _) = try await EnginePeerRPCTests.connected(peer)
        try await provider.provide("twice") { _, response, _ in
            response.send(1)
            response.send(2)
            response.error("late")
            response.reject()
        }
        try await providerEvents.waitFor { if case .providerAcknowledged = $0 { true } else { false } }
        #expect(try await requestor.make("twice") == 1)
        try await providerEvents.waitForCount(3, "misuse reports") {
            if case .error("RPC_ALREADY_COMPLETED", _, _) = $0 { true } else { false }
        }
        #expect(await Self.rpcs(peer, .response).count == 1)
        #expect(await Self.rpcs(peer, .requestError).isEmpty)
        await provider.close()
        await requestor.close()
        await peer.stop()
    }

    @Test("answers from other tasks keep ACCEPT before RESPONSE for many concurrent calls")
    func concurrentOrdering() async throws {
        let peer = TestPeer()
        try await peer.start()
        let (provider, providerEvents) = try await EnginePeerRPCTests.connected(peer)
        let (requestor, _) = try await EnginePeerRPCTests.connected(peer)
        try await provider.provide("double") { data, response, _ in
            response.autoAccept = false
            Task.detached {
                response.accept()
                response.send(.int((data?.intValue ?? 0) * 2))
            }
        }
        try await providerEvents.waitFor { if case .providerAcknowledged = $0 { true } else { false } }
        let results = try await withThrowingTaskGroup(of: (Int, JSONValue?).self) { group in
            for i in 0..<50 { group.addTask { (i, try await requestor.make("double", data: .int(i))) } }
            return try await group.reduce(into: [Int: JSONValue?]()) { $0[$1.0] = $1.1 }
        }
        #expect(results.count == 50)
        #expect(results.allSatisfy { $0.value == .int($0.key * 2) })
        let order = await peer.received.filter { $0.connection == 1 }.compactMap { entry -> (RPCAction, String)? in
            if case .rpc(let m) = entry.message, m.action == .accept || m.action == .response { (m.action, m.correlationId ?? "") } else { nil }
        }
        var accepted: Set<String> = []
        for (action, cid) in order {
            if action == .accept { accepted.insert(cid) } else { #expect(accepted.contains(cid)) }
        }
        #expect(Set(await requestor.providedNames).isEmpty)
        await provider.close()
        await requestor.close()
        await peer.stop()
    }

    @Test("MESSAGE_DENIED on provide drops the name; MULTIPLE_PROVIDERS keeps it; both reported")
    func provideRefusals() async throws {
        let peer = TestPeer()
        try await peer.start()
        await peer.setScript { _, message in
            guard case .rpc(let m) = message, m.action == .provide else { return nil }
            var replies: [Message] = []
            for name in m.names where name == "secret" {
                replies.append(.rpc(RPCMessage(
                    action: .messageDenied, correlationId: m.correlationId, isError: true, name: name, originalAction: .provide)))
            }
            for name in m.names where name == "dup" {
                replies.append(.rpc(RPCMessage(action: .multipleProviders, name: name, originalAction: .provide)))
            }
            replies.append(.rpc(RPCMessage(action: .provide, correlationId: m.correlationId, isAck: true)))
            return .reply(replies)
        }
        let (engine, events) = try await EnginePeerRPCTests.connected(peer)
        try await engine.provide("secret") { _, r, _ in r.send() }
        try await engine.provide("dup") { _, r, _ in r.send() }
        try await engine.provide("fine") { _, r, _ in r.send() }
        try await events.waitFor { if case .providerRefused("secret", .messageDenied, _) = $0 { true } else { false } }
        try await events.waitFor { if case .providerRefused("dup", .multipleProviders, _) = $0 { true } else { false } }
        try await events.waitFor { if case .providerAcknowledged("fine", true, _) = $0 { true } else { false } }
        #expect(await engine.providedNames == ["dup", "fine"])
        await engine.close()
        await peer.stop()
    }

    @Test("server complaints about our answers and unknown ids become error events")
    func serverComplaints() async throws {
        let peer = TestPeer()
        try await peer.start()
        let (engine, events) = try await EnginePeerRPCTests.connected(peer)
        await peer.push(.rpc(RPCMessage(
            action: .invalidRPCCorrelationID, correlationId: "zz", isError: true, name: "x", originalAction: .response)), to: 1)
        await peer.push(.rpc(RPCMessage(action: .multipleAccept, correlationId: "zz", name: "x")), to: 1)
        await peer.push(.rpc(RPCMessage(action: .response, data: "1", correlationId: "never-made", name: "x")), to: 1)
        await peer.push(.parser(ParserMessage(action: .unknownTopic)), to: 1)
        await peer.push(.rpc(RPCMessage(action: .notProvided, correlationId: "0", name: "x")), to: 1)
        try await events.waitForError("INVALID_RPC_CORRELATION_ID")
        try await events.waitForError("MULTIPLE_ACCEPT")
        try await events.waitForError("UNKNOWN_CORRELATION_ID")
        try await events.waitForError("UNKNOWN_TOPIC")
        try await events.waitForError("NOT_PROVIDED")
        #expect(await engine.state == .open)
        await engine.close()
        await peer.stop()
    }
}
