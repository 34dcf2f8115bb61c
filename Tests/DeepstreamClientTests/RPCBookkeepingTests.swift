import DeepstreamClient
import DeepstreamProtocol
import Testing

/// The pure RPC bookkeeping: outgoing calls and the provider registry.
@Suite("OutgoingCalls and ProviderRegistry")
struct RPCBookkeepingTests {
    @Test("start: send when open, buffer while offline-buffering, fail when offline or too large")
    func start() {
        var calls = OutgoingCalls()
        #expect(calls.start(name: "a", correlationId: "1", data: ["x": 1], link: .open, maxMessageSize: 1000)
            == .send(.rpc(RPCMessage(action: .request, data: #"{"x":1}"#, correlationId: "1", name: "a"))))
        #expect(calls.start(name: "a", correlationId: "2", data: nil, link: .buffering, maxMessageSize: 1000) == .buffered)
        #expect(calls.start(name: "a", correlationId: "3", data: nil, link: .offline, maxMessageSize: 1000) == .failed(.clientOffline))
        let request = Message.rpc(RPCMessage(action: .request, data: #""xxxxxxxxxx""#, correlationId: "4", name: "a"))
        let size = BinaryCodec.encodedSize(of: request)
        #expect(calls.start(name: "a", correlationId: "4", data: "xxxxxxxxxx", link: .open, maxMessageSize: size) != .failed(.messageTooBig(size: size, limit: .client(size))))
        #expect(calls.start(name: "a", correlationId: "5", data: "xxxxxxxxxx", link: .open, maxMessageSize: size - 1)
            == .failed(.messageTooBig(size: size, limit: .client(size - 1))))
        #expect(calls.start(name: "", correlationId: "6", data: nil, link: .open, maxMessageSize: 1000) == .failed(.invalidName))
        #expect(calls.count == 3)
    }

    @Test("replies: accept keeps the call, response/error/server errors settle it, unknown vs late ids")
    func replies() {
        var calls = OutgoingCalls()
        for cid in ["a", "b", "c", "d"] {
            _ = calls.start(name: "n", correlationId: cid, data: nil, link: .open, maxMessageSize: 1000)
        }
        guard case .accepted = calls.received(RPCMessage(action: .accept, correlationId: "a")) else {
            Issue.record("expected accepted")
            return
        }
        guard case .settled(_, let r1) = calls.received(RPCMessage(action: .response, data: "[1]", correlationId: "a")) else {
            Issue.record("expected settled")
            return
        }
        #expect(r1 == .success([1]))
        guard case .settled(_, let r2) = calls.received(RPCMessage(action: .requestError, data: #""bad""#, correlationId: "b")) else {
            Issue.record("expected settled")
            return
        }
        #expect(r2 == .failure(.requestError("bad")))
        guard case .settled(_, let r3) = calls.received(RPCMessage(action: .responseTimeout, correlationId: "c")) else {
            Issue.record("expected settled")
            return
        }
        #expect(r3 == .failure(.responseTimeout))
        guard case .settled(_, let r4) = calls.received(RPCMessage(action: .response, data: "{oops", correlationId: "d")) else {
            Issue.record("expected settled")
            return
        }
        guard case .failure(.invalidResponseData) = r4 else {
            Issue.record("expected invalidResponseData, got \(r4)")
            return
        }
        #expect(calls.received(RPCMessage(action: .response, correlationId: "a")) == .unknown)
        _ = calls.start(name: "n", correlationId: "e", data: nil, link: .open, maxMessageSize: 1000)
        #expect(calls.end("e") != nil)
        #expect(calls.end("e") == nil)
        #expect(calls.received(RPCMessage(action: .response, correlationId: "e")) == .late)
        #expect(calls.count == 0)
    }

    @Test("connection loss ends calls on the wire, keeps buffered ones; flush and expiry")
    func lossAndBuffer() {
        var calls = OutgoingCalls()
        _ = calls.start(name: "n", correlationId: "wire", data: nil, link: .open, maxMessageSize: 1000)
        _ = calls.start(name: "n", correlationId: "buf1", data: 1, link: .buffering, maxMessageSize: 1000)
        _ = calls.start(name: "n", correlationId: "buf2", data: 2, link: .buffering, maxMessageSize: 1000)
        #expect(calls.connectionLost().map(\.correlationId) == ["wire"])
        #expect(calls.received(RPCMessage(action: .response, correlationId: "buf1")) == .unknown)
        #expect(calls.flushBuffer() == [
            .rpc(RPCMessage(action: .request, data: "1", correlationId: "buf1", name: "n")),
            .rpc(RPCMessage(action: .request, data: "2", correlationId: "buf2", name: "n")),
        ])
        #expect(calls.expireBuffer().isEmpty)
        _ = calls.start(name: "n", correlationId: "buf3", data: nil, link: .buffering, maxMessageSize: 1000)
        #expect(calls.expireBuffer().map(\.correlationId) == ["buf3"])
        #expect(calls.endAll().map(\.correlationId) == ["buf1", "buf2"])
        #expect(calls.count == 0)
    }

    @Test("registry: batching, counter, acks, re-provide after login, reset on loss")
    func registry() throws {
        var registry = ProviderRegistry(batchWindow: .milliseconds(100))
        #expect(try registry.provide("a", online: true) == [.armBatchTimer(after: .milliseconds(100))])
        #expect(try registry.provide("b", online: true) == [])
        #expect(registry.batchTimerFired() == [.send(.rpc(RPCMessage(action: .provide, correlationId: "0", names: ["a", "b"])))])
        #expect(registry.received(RPCMessage(action: .provide, correlationId: "0", isAck: true)) == [
            .acknowledged(name: "a", provided: true), .acknowledged(name: "b", provided: true),
        ])
        _ = try registry.unprovide("a", online: true)
        _ = try registry.provide("a", online: true)
        #expect(registry.batchTimerFired() == [])
        _ = try registry.unprovide("b", online: true)
        #expect(registry.batchTimerFired() == [.send(.rpc(RPCMessage(action: .unprovide, correlationId: "1", names: ["b"])))])
        registry.connectionLost()
        #expect(registry.loggedIn() == [.send(.rpc(RPCMessage(action: .provide, correlationId: "0", names: ["a"])))])
        #expect(registry.received(RPCMessage(action: .provide, correlationId: "9")).first
            == .error(kind: "UNKNOWN_CORRELATION_ID", message: "PROVIDE ack for unknown id 9"))
        #expect(try registry.provide("offline", online: false) == [])
        #expect(registry.names == ["a", "offline"])
    }

    @Test("registry: a batch window cut short by a connection loss does not block later batches")
    func batchAfterLoss() throws {
        var registry = ProviderRegistry(batchWindow: .milliseconds(100))
        #expect(try registry.provide("a", online: true) == [.armBatchTimer(after: .milliseconds(100))])
        registry.connectionLost()
        #expect(registry.loggedIn() == [.send(.rpc(RPCMessage(action: .provide, correlationId: "0", names: ["a"])))])
        #expect(try registry.provide("b", online: true) == [.armBatchTimer(after: .milliseconds(100))])
        #expect(registry.batchTimerFired() == [.send(.rpc(RPCMessage(action: .provide, correlationId: "1", names: ["b"])))])
    }

    @Test("registry: REQUEST routing, denial removes the name")
    func routing() throws {
        var registry = ProviderRegistry(batchWindow: .zero)
        #expect(try registry.provide("a", online: true) == [.send(.rpc(RPCMessage(action: .provide, correlationId: "0", names: ["a"])))])
        #expect(registry.route(RPCMessage(action: .request, correlationId: "c", name: "a")) == .invoke)
        #expect(registry.route(RPCMessage(action: .request, correlationId: "c", name: "b"))
            == .reject(.rpc(RPCMessage(action: .reject, correlationId: "c", name: "b"))))
        #expect(registry.route(RPCMessage(action: .request, name: "a")) == .malformed)
        #expect(registry.received(RPCMessage(action: .messageDenied, correlationId: "0", isError: true, name: "a", originalAction: .provide))
            == [.refused(name: "a", reason: .messageDenied)])
        #expect(!registry.provides("a"))
    }
}
