import DeepstreamClient
import DeepstreamProtocol
import TestSupport
import Testing

/// The engine's pure pieces introduced by the split: the provider side, the timer schedule, the
/// outbound queue's backpressure, oversize blame, and the manual clock the engine tests rely on.
@Suite("Engine values: ServedCalls, TimerSchedule, OutboundQueue, ManualClock")
struct EngineValuesTests {
    static func request(_ cid: String, name: String = "n", data: String? = nil) -> RPCMessage {
        RPCMessage(action: .request, data: data, correlationId: cid, name: name)
    }

    static func envelope(_ cid: String, _ command: RPCResponse.Command, connection: UInt64 = 1) -> RPCResponse.Envelope {
        RPCResponse.Envelope(name: "n", correlationId: cid, connection: connection, command: command)
    }

    @Test("served calls: invoke, ACCEPT then RESPONSE, one final step, nothing after")
    func servedLifeCycle() {
        var served = ServedCalls(maxMessageSize: 1000)
        let invoked = served.received(Self.request("1", data: "[1]"), route: .invoke)
        #expect(invoked == [
            .step(correlationId: "1", name: "n", .requested(data: "[1]"), requestor: nil),
            .invoke(name: "n", correlationId: "1", data: [1], requestor: nil),
        ])
        #expect(served.count == 1)
        let accepted = served.answered(Self.envelope("1", .accept), live: true)
        #expect(accepted == [
            .send(.rpc(RPCMessage(action: .accept, correlationId: "1", name: "n"))),
            .step(correlationId: "1", name: "n", .accepted(by: .unidentified), requestor: nil),
        ])
        let responded = served.answered(Self.envelope("1", .respond(2)), live: true)
        #expect(responded == [
            .send(.rpc(RPCMessage(action: .response, data: "2", correlationId: "1", name: "n"))),
            .step(correlationId: "1", name: "n", .responded(data: "2"), requestor: nil),
        ])
        #expect(served.count == 0)
        let late = served.answered(Self.envelope("1", .respond(3)), live: true)
        #expect(late.isEmpty)
    }

    @Test("served calls: bad data, reject route, stale connection, oversize answer, abandon on loss")
    func servedEdges() {
        var served = ServedCalls(maxMessageSize: 60)
        let bad = served.received(Self.request("b", data: "{nope"), route: .invoke)
        #expect(bad.count == 4)
        #expect(bad.contains(.send(.rpc(RPCMessage(
            action: .requestError, data: #""INVALID_MESSAGE_DATA""#, correlationId: "b", name: "n")))))
        #expect(served.count == 0)

        let reject = Message.rpc(RPCMessage(action: .reject, correlationId: "r", name: "n"))
        let rejected = served.received(Self.request("r"), route: .reject(reject))
        #expect(rejected == [
            .step(correlationId: "r", name: "n", .requested(data: nil), requestor: nil),
            .send(reject),
            .step(correlationId: "r", name: "n", .rejected(by: .unidentified), requestor: nil),
        ])

        _ = served.received(Self.request("s"), route: .invoke)
        let stale = served.answered(Self.envelope("s", .respond(1)), live: false)
        #expect(stale.isEmpty, "a lost connection's answer is dropped")
        let big = JSONValue.string(String(repeating: "x", count: 100))
        let oversize = served.answered(Self.envelope("s", .respond(big)), live: true)
        #expect(oversize.first.map { if case .error("MESSAGE_TOO_LARGE", _) = $0 { true } else { false } } == true)
        #expect(oversize.contains(.send(.rpc(RPCMessage(
            action: .requestError, data: #""MESSAGE_TOO_LARGE""#, correlationId: "s", name: "n")))))

        _ = served.received(Self.request("y"), route: .invoke)
        _ = served.received(Self.request("x"), route: .invoke)
        let abandoned = served.abandonAll()
        #expect(abandoned == [
            .step(correlationId: "x", name: "n", .abandoned(reason: "client offline"), requestor: nil),
            .step(correlationId: "y", name: "n", .abandoned(reason: "client offline"), requestor: nil),
        ])
        #expect(served.count == 0)
    }

    @Test("timer schedule: earliest first, re-arming moves a timer, cancel removes it")
    func schedule() {
        var schedule = TimerSchedule()
        schedule.arm(.engine(.heartbeat), at: .seconds(30))
        schedule.arm(.callDeadline("a"), at: .seconds(5))
        schedule.arm(.engine(.reconnect), at: .seconds(5))
        let first = schedule.nextDeadline()
        #expect(first == .seconds(5))
        let early = schedule.takeDue(at: .seconds(4))
        #expect(early.isEmpty)
        let due = schedule.takeDue(at: .seconds(5))
        #expect(due == [.callDeadline("a"), .engine(.reconnect)])
        schedule.arm(.engine(.heartbeat), at: .seconds(10))
        let moved = schedule.nextDeadline()
        #expect(moved == .seconds(10))
        let cancelled = schedule.cancel(.engine(.heartbeat))
        #expect(cancelled == .seconds(10))
        let none = schedule.nextDeadline()
        #expect(none == nil)
        #expect(schedule.keys.isEmpty)
        // Many timers armed and cancelled out of order: always the earliest live one.
        for index in 0..<500 { schedule.arm(.callDeadline("\(index)"), at: .milliseconds(1000 - index)) }
        for index in stride(from: 499, through: 0, by: -2) { schedule.cancel(.callDeadline("\(index)")) }
        let earliest = schedule.nextDeadline()
        #expect(earliest == .milliseconds(1000 - 498))
        let all = schedule.takeDue(at: .seconds(1))
        #expect(all.count == 250)
        #expect(all.first == .callDeadline("498") && all.last == .callDeadline("0"))
    }

    @Test("outgoing calls: a 1009 close blames the largest request not yet accepted")
    func blameOversize() {
        var calls = OutgoingCalls()
        _ = calls.start(name: "n", correlationId: "small", data: "x", link: .open, maxMessageSize: 10_000)
        _ = calls.start(name: "n", correlationId: "big", data: .string(String(repeating: "x", count: 500)), link: .open, maxMessageSize: 10_000)
        _ = calls.start(name: "n", correlationId: "bigger-accepted", data: .string(String(repeating: "x", count: 900)), link: .open, maxMessageSize: 10_000)
        _ = calls.received(RPCMessage(action: .accept, correlationId: "bigger-accepted", name: "n"))
        let blamed = calls.blameOversize(closeCode: 1009)
        let startedCount = calls.count
        #expect(blamed?.call.correlationId == "big")
        if case .messageTooBig(let size, .server(closeCode: 1009))? = blamed?.error {
            #expect(size > 500)
        } else {
            Issue.record("unexpected \(String(describing: blamed?.error))")
        }
        #expect(startedCount == 2)
        let lost = calls.connectionLost().map(\.correlationId)
        #expect(lost == ["bigger-accepted", "small"])
        let nothing = calls.blameOversize(closeCode: 1009)
        #expect(nothing == nil)
    }

    @Test("messageTooBig explains itself, with thousands separators")
    func messageTooBigText() {
        #expect(RPCError.messageTooBig(size: 5012, limit: .server(closeCode: 1009)).description
            == "message too big: the request is 5,012 bytes and the server closed the connection with 1009 (its maxMessageSize is smaller)")
        #expect(RPCError.messageTooBig(size: 1_234_567, limit: .client(1024)).description
            == "message too big: the request is 1,234,567 bytes, over the client's maxMessageSize of 1,024 bytes; it was not sent")
        #expect(RPCError.messageTooBig(size: 999, limit: .client(64)).abandonReason.hasPrefix("message too big: the request is 999 bytes"))
        #expect(RPCError.clientOffline.abandonReason == "client offline")
    }

    @Test("a small send limit does not shrink what the engine accepts")
    func receiveLimit() {
        var options = ClientOptions()
        #expect(options.maxReceivedMessageSize == 1_048_576)
        options.maxMessageSize = 1024
        #expect(options.maxReceivedMessageSize == 1_048_576)
        options.maxMessageSize = 4_000_000
        #expect(options.maxReceivedMessageSize == 4_000_000)
    }

    @Test("outbound queue: producers wait above the high-water mark until the writer has written")
    func outboundBackpressure() async {
        let queue = OutboundQueue<Int>(highWater: 100)
        queue.enqueue(1, bytes: 60)
        await queue.waitForSpace()  // 60 ≤ 100: no wait
        queue.enqueue(2, bytes: 60)
        #expect(queue.queuedBytes == 120)
        let waiter = Task {
            await queue.waitForSpace()
            return queue.queuedBytes
        }
        // The writer takes the batch; the bytes still count until written.
        let batch = await queue.next()
        #expect(batch?.map { $0.element } == [1, 2])
        #expect(queue.queuedBytes == 120)
        queue.written(60)
        #expect(await waiter.value == 60)
        // A waiter parked on a full queue is released by close(); next() then ends the writer.
        queue.enqueue(3, bytes: 200)
        let parked = Task { await queue.waitForSpace() }
        queue.close()
        await parked.value
        #expect(await queue.next() == nil)
        #expect(!queue.enqueue(4, bytes: 1))
    }

    @Test("manual clock: sleepers wake only when time is advanced, in deadline order; cancel ends a sleep")
    func manualClock() async throws {
        let clock = ManualClock()
        let order = Recorder()
        let late = Task { try await clock.sleep(for: .seconds(10)); await order.add("late") }
        let early = Task { try await clock.sleep(for: .seconds(5)); await order.add("early") }
        #expect(await clock.waitForSleepers(2))
        #expect(clock.nextDeadline?.offset == .seconds(5))
        clock.advance(by: .seconds(4))
        #expect(clock.sleepers == 2)
        clock.advance(by: .seconds(1))
        try await early.value
        #expect(await order.items == ["early"])
        #expect(clock.sleepers == 1)
        let cancelled = Task { try await clock.sleep(for: .seconds(1)) }
        #expect(await clock.waitForSleepers(2))
        cancelled.cancel()
        await #expect(throws: CancellationError.self) { try await cancelled.value }
        clock.advanceToNextDeadline()
        try await late.value
        #expect(await order.items == ["early", "late"])
        #expect(clock.now.offset == .seconds(10))
        // A deadline already passed returns at once.
        try await clock.sleep(until: clock.now.advanced(by: .seconds(-1)))
    }
}

/// Collects strings in order.
private actor Recorder {
    private(set) var items: [String] = []
    func add(_ item: String) { items.append(item) }
}
