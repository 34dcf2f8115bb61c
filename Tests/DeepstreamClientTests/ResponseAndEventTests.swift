import Synchronization
@testable import DeepstreamClient
import DeepstreamProtocol
import Testing

/// RPCResponse's settle-once channel and the event hub's bounded buffers, without sockets.
@Suite("RPCResponse and EventHub")
struct ResponseAndEventTests {
    static func commands(_ body: (RPCResponse) -> Void) async -> [String] {
        let (stream, sink) = AsyncStream.makeStream(of: RPCResponse.Envelope.self)
        do {
            let response = RPCResponse(name: "n", correlationId: "c", connection: 1, sink: sink)
            body(response)
        }
        sink.finish()
        var out: [String] = []
        for await envelope in stream {
            switch envelope.command {
            case .accept: out.append("accept")
            case .reject: out.append("reject")
            case .respond(let v): out.append("respond \(v?.jsonText ?? "-")")
            case .fail(let v): out.append("fail \(v?.jsonText ?? "-")")
            case .misuse: out.append("misuse")
            case .unanswered: out.append("unanswered")
            }
        }
        return out
    }

    @Test("send accepts first; settles once; auto-accept only when nothing happened")
    func settleOnce() async {
        #expect(await Self.commands { $0.send(1); $0.send(2); $0.performAutoAccept() } == ["accept", "respond 1", "misuse"])
        #expect(await Self.commands { $0.performAutoAccept(); $0.send(nil) } == ["accept", "respond -"])
        #expect(await Self.commands { $0.performAutoAccept() } == ["accept", "unanswered"])
        #expect(await Self.commands { $0.reject(); $0.performAutoAccept(); $0.accept() } == ["reject"])
        #expect(await Self.commands { $0.error("e"); $0.reject() } == ["fail \"e\"", "misuse"])
        #expect(await Self.commands { $0.autoAccept = false; $0.performAutoAccept() } == ["unanswered"])
        #expect(await Self.commands { $0.accept(); $0.accept(); $0.error(nil) } == ["accept", "fail -"])
    }

    @Test("a full subscriber loses the oldest events, counts them, and gets a dropped marker when room returns")
    func drops() async {
        let hub = EventHub()
        let slow = hub.subscribe(bufferingNewest: 3)
        let fast = hub.subscribe(bufferingNewest: 100)
        for i in 0..<10 { hub.emit(.error(kind: "e\(i)", message: "", at: Timestamp(nanoseconds: 0))) }
        #expect(hub.totalDropped == 7)
        var slowIterator = slow.makeAsyncIterator()
        var seen: [EngineEvent] = []
        for _ in 0..<3 { if let e = await slowIterator.next() { seen.append(e) } }
        #expect(seen.map { if case .error(let k, _, _) = $0 { k } else { "?" } } == ["e7", "e8", "e9"])
        hub.emit(.error(kind: "e10", message: "", at: Timestamp(nanoseconds: 0)))
        #expect(await slowIterator.next() == .error(kind: "e10", message: "", at: Timestamp(nanoseconds: 0)))
        #expect(await slowIterator.next() == .dropped(count: 7))
        var fastIterator = fast.makeAsyncIterator()
        var fastCount = 0
        hub.finishAll()
        while await fastIterator.next() != nil { fastCount += 1 }
        #expect(fastCount == 11)
    }

    @Test("batch subscribers get one array per emitted batch; a full one counts the events of evicted batches")
    func batches() async {
        func event(_ i: Int) -> EngineEvent { .error(kind: "e\(i)", message: "", at: Timestamp(nanoseconds: 0)) }
        let hub = EventHub()
        let batched = hub.subscribeBatches(bufferingNewest: 2)
        let single = hub.subscribe(bufferingNewest: 100)
        hub.emit(contentsOf: [event(0), event(1), event(2)])
        hub.emit(event(3))
        hub.emit(contentsOf: [event(4), event(5)])
        // The first batch (3 events) was evicted from the 2-batch buffer; the single subscriber lost nothing.
        #expect(hub.totalDropped == 3)
        var iterator = batched.makeAsyncIterator()
        #expect(await iterator.next() == [event(3)])
        #expect(await iterator.next() == [event(4), event(5)])
        hub.emit(contentsOf: [event(6)])
        #expect(await iterator.next() == [event(6)])
        #expect(await iterator.next() == [.dropped(count: 3)])
        hub.finishAll()
        var singles: [EngineEvent] = []
        for await e in single { singles.append(e) }
        #expect(singles == (0...6).map(event))
        #expect(await iterator.next() == nil)
    }

    @Test("a receiver gets every batch in order, synchronously, a single event as a one-element batch; none after it stops")
    func receiver() {
        func event(_ i: Int) -> EngineEvent { .error(kind: "e\(i)", message: "", at: Timestamp(nanoseconds: 0)) }
        let hub = EventHub()
        let received = Mutex<[[EngineEvent]]>([])
        let id = hub.receive { batch in received.withLock { $0.append(batch) } }
        hub.emit(contentsOf: [event(0), event(1)])
        hub.emit(event(2))
        hub.emit(contentsOf: [])
        // Synchronous: delivered before emit returns, nothing buffered, nothing dropped.
        #expect(received.withLock { $0 } == [[event(0), event(1)], [event(2)]])
        #expect(hub.totalDropped == 0)
        hub.stopReceiving(id)
        hub.emit(event(3))
        #expect(received.withLock { $0 }.count == 2)
    }

    @Test("correlation ids: base-36 time, dash, random; unique")
    func correlationIDs() {
        var generator = CorrelationIDGenerator()
        var random = SystemRandomNumberGenerator()
        let ids = (0..<1000).map { _ in generator.next(milliseconds: 1_764_088_200_123, using: &random) }
        #expect(Set(ids).count == 1000)
        #expect(ids.allSatisfy { $0.hasPrefix(String(1_764_088_200_123, radix: 36) + "-") })
    }
}
