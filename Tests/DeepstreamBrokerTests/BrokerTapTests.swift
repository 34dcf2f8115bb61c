import DeepstreamBroker
import DeepstreamProtocol
import Synchronization
import Testing

@Suite("Broker tap and graceful shutdown")
struct BrokerTapTests {
    @Test("The tap reports connections, logins, frames, providers and each call step in order")
    func tapSequence() async throws {
        let broker = Broker(configuration: testConfiguration())
        let events = broker.tap(bufferingNewest: 1000)
        let port = try await broker.start().port!
        let provider = try await loggedInClient(port: port)
        try await provider.provide(["job"])
        let requestor = try await loggedInClient(port: port)
        try await requestor.request("job", correlationId: "c1", data: "7")
        let request = try await provider.nextRPC()
        try await provider.reply(.accept, to: request)
        try await provider.reply(.response, to: request, data: "8")
        _ = try await requestor.nextRPC()
        _ = try await requestor.nextRPC()
        await provider.close()
        // The broker has handled the provider's close once only the requestor is left (the gauges are
        // refreshed after every input); shutting down before that would report a shutdown instead.
        let deadline = ContinuousClock.now + .seconds(5)
        while broker.connectionCount > 1, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(2)) }
        #expect(broker.connectionCount == 1)
        await broker.shutdown(gracePeriod: .milliseconds(10))

        var collected: [TrafficEvent] = []
        for await event in events { collected.append(event) }
        let p = PeerID(1)
        let r = PeerID(2)
        let call = CallID(requestor: r, correlationId: "c1")
        let steps = collected.compactMap { event -> CallStep? in
            if case .call(let e) = event, e.call == call, e.name == "job" { return e.step }
            return nil
        }
        #expect(steps == [.requested(data: "7"), .routed(to: p), .accepted(by: p), .responded(data: "8")])
        #expect(collected.contains { if case .connected(p, _, .binary, _) = $0 { true } else { false } })
        #expect(collected.contains { if case .loggedIn(r, "open", nil, _) = $0 { true } else { false } })
        #expect(collected.contains { if case .providerAdded(p, "job", _) = $0 { true } else { false } })
        #expect(collected.contains { if case .providerRemoved(p, "job", _) = $0 { true } else { false } })
        #expect(collected.contains { if case .disconnected(p, "client closed", _) = $0 { true } else { false } }
            || collected.contains { if case .disconnected(p, "connection lost", _) = $0 { true } else { false } })
        let inbound = collected.filter { if case .frame(r, .inbound, .rpc, _, _) = $0 { true } else { false } }
        let outbound = collected.filter { if case .frame(r, .outbound, .rpc, _, _) = $0 { true } else { false } }
        #expect(inbound.count == 1)
        #expect(outbound.count == 2)
        let timestamps = collected.compactMap { event -> Timestamp? in
            if case .call(let e) = event { return e.at }
            return nil
        }
        #expect(timestamps == timestamps.sorted())
    }

    @Test("A subscriber that leaves frames out gets every call step and no frame")
    func tapWithoutFrames() async throws {
        let broker = Broker(configuration: testConfiguration())
        let lean = broker.tap(bufferingNewest: 1000, includingFrames: false)
        let full = broker.tap(bufferingNewest: 1000)
        let port = try await broker.start().port!
        let provider = try await loggedInClient(port: port)
        try await provider.provide(["job"])
        let requestor = try await loggedInClient(port: port)
        try await requestor.request("job", correlationId: "c1", data: "7")
        let request = try await provider.nextRPC()
        try await provider.reply(.response, to: request, data: "8")
        _ = try await requestor.nextRPC()
        await broker.shutdown(gracePeriod: .milliseconds(10))

        func isFrame(_ event: TrafficEvent) -> Bool { if case .frame = event { true } else { false } }
        func steps(_ events: [TrafficEvent]) -> [CallStep] {
            events.compactMap { if case .call(let e) = $0 { e.step } else { nil } }
        }
        var leanEvents: [TrafficEvent] = []
        for await event in lean { leanEvents.append(event) }
        var fullEvents: [TrafficEvent] = []
        for await event in full { fullEvents.append(event) }
        #expect(!leanEvents.contains(where: isFrame))
        #expect(fullEvents.contains(where: isFrame))
        #expect(steps(leanEvents) == [.requested(data: "7"), .routed(to: PeerID(1)), .responded(data: "8")])
        #expect(leanEvents == fullEvents.filter { !isFrame($0) })
    }

    @Test("A batch subscriber gets the same events as a one-by-one subscriber, in order, in batches")
    func tapBatches() async throws {
        let broker = Broker(configuration: testConfiguration())
        let batches = broker.tapBatches(bufferingNewest: 1000, includingFrames: false)
        let single = broker.tap(bufferingNewest: 1000, includingFrames: false)
        let port = try await broker.start().port!
        try await makeTwentyCalls(port: port)
        await broker.shutdown(gracePeriod: .milliseconds(10))
        var arrays: [[TrafficEvent]] = []
        for await batch in batches { arrays.append(batch) }
        var singles: [TrafficEvent] = []
        for await event in single { singles.append(event) }
        #expect(arrays.allSatisfy { !$0.isEmpty && $0.count <= 256 })
        #expect(arrays.flatMap { $0 } == singles)
        let steps = singles.filter { if case .call = $0 { true } else { false } }
        #expect(steps.count == 60)
        #expect(broker.droppedTapEvents == 0)
    }

    @Test("A batch subscriber with a collection interval gets the same events in fewer, later batches")
    func timedTapBatches() async throws {
        let broker = Broker(configuration: testConfiguration())
        // Long enough that no timer runs out during the calls: everything arrives with the shutdown's
        // final flush, in one batch.
        let timed = broker.tapBatches(bufferingNewest: 1000, includingFrames: false, collectingFor: .seconds(30))
        let perRound = broker.tapBatches(bufferingNewest: 1000, includingFrames: false)
        let port = try await broker.start().port!
        try await makeTwentyCalls(port: port)
        await broker.shutdown(gracePeriod: .milliseconds(10))
        var timedBatches: [[TrafficEvent]] = []
        for await batch in timed { timedBatches.append(batch) }
        var roundBatches: [[TrafficEvent]] = []
        for await batch in perRound { roundBatches.append(batch) }
        #expect(timedBatches.flatMap { $0 } == roundBatches.flatMap { $0 })
        #expect(timedBatches.count == 1)
        #expect(roundBatches.count >= 40)
        #expect(broker.droppedTapEvents == 0)
    }

    @Test("A collected batch is handed over when its interval runs out, without further traffic")
    func timedTapBatchTimer() async throws {
        let broker = Broker(configuration: testConfiguration())
        let timed = broker.tapBatches(bufferingNewest: 1000, includingFrames: false, collectingFor: .milliseconds(20))
        let port = try await broker.start().port!
        let provider = try await loggedInClient(port: port)
        try await provider.provide(["job"])
        let requestor = try await loggedInClient(port: port)
        try await requestor.request("job", correlationId: "c1", data: "1")
        let request = try await provider.nextRPC()
        try await provider.reply(.response, to: request, data: "2")
        _ = try await requestor.nextRPC()
        // Nothing else happens on the broker: only the timer can hand these events over. Should it
        // never run, the watchdog's shutdown ends the stream (its final flush is not the timer).
        let watchdogFired = Mutex(false)
        let watchdog = Task {
            try await Task.sleep(for: .seconds(10))
            watchdogFired.withLock { $0 = true }
            await broker.shutdown(gracePeriod: .milliseconds(10))
        }
        var seen: [TrafficEvent] = []
        var iterator = timed.makeAsyncIterator()
        while !seen.contains(where: { if case .call(let e) = $0, case .responded = e.step { true } else { false } }) {
            guard let batch = await iterator.next() else { break }
            seen += batch
        }
        watchdog.cancel()
        await broker.shutdown(gracePeriod: .milliseconds(10))
        #expect(!watchdogFired.withLock { $0 })
        #expect(seen.contains { if case .call(let e) = $0, case .responded = e.step { true } else { false } })
        #expect(seen.contains { if case .call(let e) = $0, case .requested = e.step { true } else { false } })
    }

    @Test("A batch subscriber that never reads cannot stall routing; the events of lost batches are counted")
    func stalledBatchSubscriber() async throws {
        let broker = Broker(configuration: testConfiguration())
        let stalled = broker.tapBatches(bufferingNewest: 2)
        let port = try await broker.start().port!
        let client = try await loggedInClient(port: port)
        for _ in 0..<200 {
            try await client.send(.ping)
            #expect(try await client.nextMessage() == .pong)
        }
        let dropped = broker.droppedTapEvents
        await broker.shutdown()
        var kept = 0
        for await batch in stalled { kept += batch.count }
        // Two frames per ping (in and out) plus the connection's own events: nothing is both kept and
        // counted lost, and at most the two newest batches are kept.
        #expect(dropped >= 300)
        #expect(kept >= 1)
        #expect(kept + dropped >= 400)
    }

    @Test("A subscriber that never reads cannot stall routing; its losses are counted")
    func slowSubscriber() async throws {
        let broker = Broker(configuration: testConfiguration())
        let stalled = broker.tap(bufferingNewest: 5)
        let port = try await broker.start().port!
        let client = try await loggedInClient(port: port)
        for _ in 0..<200 {
            try await client.send(.ping)
            #expect(try await client.nextMessage() == .pong)
        }
        let dropped = broker.droppedTapEvents
        #expect(dropped >= 400)
        #expect(broker.droppedTapEventsPerSubscriber == [dropped])
        await broker.shutdown()
        var kept = 0
        for await _ in stalled { kept += 1 }
        #expect(kept == 5)
    }

    @Test("Shutdown: a call answered within the grace period completes, the rest get RESPONSE_TIMEOUT")
    func gracefulShutdown() async throws {
        let broker = Broker(configuration: testConfiguration {
            $0.rpc.ackTimeout = .seconds(10)
            $0.rpc.responseTimeout = .seconds(10)
        })
        let port = try await broker.start().port!
        let provider = try await loggedInClient(port: port)
        try await provider.provide(["quick", "stuck"])
        let requestor = try await loggedInClient(port: port)
        try await requestor.request("quick", correlationId: "q")
        let quick = try await provider.nextRPC()
        try await requestor.request("stuck", correlationId: "s")
        _ = try await provider.nextRPC()
        let start = ContinuousClock.now
        async let stopped: Void = broker.shutdown(gracePeriod: .seconds(1))
        // The listening socket closes in the same event-loop task that starts draining.
        while (try? await TestWebSocketClient.connect(port: port)) != nil {
            try await Task.sleep(for: .milliseconds(10))
        }
        // New requests during the grace period are refused.
        try await requestor.request("quick", correlationId: "late")
        #expect(try await requestor.nextRPC() == RPCMessage(action: .noRPCProvider, correlationId: "late", name: "quick"))
        try await provider.reply(.response, to: quick, data: "1")
        #expect(try await requestor.nextRPC() == RPCMessage(action: .response, data: "1", correlationId: "q", name: "quick"))
        #expect(try await requestor.nextRPC(timeout: .seconds(5))
            == RPCMessage(action: .responseTimeout, correlationId: "s", name: "stuck"))
        #expect(ContinuousClock.now - start >= .seconds(1))
        #expect(try await requestor.closeCode() == 1000)
        await stopped
        await #expect(throws: (any Error).self) { _ = try await TestWebSocketClient.connect(port: port) }
    }

    @Test("Shutdown with nothing in flight is immediate")
    func quickShutdown() async throws {
        let broker = Broker(configuration: testConfiguration())
        let port = try await broker.start().port!
        let client = try await loggedInClient(port: port)
        let start = ContinuousClock.now
        await broker.shutdown(gracePeriod: .seconds(5))
        #expect(ContinuousClock.now - start < .seconds(1))
        #expect(try await client.closeCode() == 1000)
    }

    /// A provider and a requestor on `port`, and 20 calls from one to the other, one after another.
    private func makeTwentyCalls(port: Int) async throws {
        let provider = try await loggedInClient(port: port)
        try await provider.provide(["job"])
        let requestor = try await loggedInClient(port: port)
        for i in 0..<20 {
            try await requestor.request("job", correlationId: "c\(i)", data: "\(i)")
            let request = try await provider.nextRPC()
            try await provider.reply(.response, to: request, data: "\(i)")
            _ = try await requestor.nextRPC()
        }
    }
}

@Suite("Broker lifecycle edge cases")
struct BrokerLifecycleTests {
    @Test("shutdown before start, and twice, is harmless; the tap stream ends")
    func shutdownEdges() async throws {
        let unused = Broker(configuration: testConfiguration())
        let events = unused.tap()
        await unused.shutdown()
        await unused.shutdown()
        for await _ in events { Issue.record("event from a broker that never started") }

        let broker = Broker(configuration: testConfiguration())
        let port = try await broker.start().port!
        _ = try await loggedInClient(port: port)
        await broker.shutdown()
        await broker.shutdown()
        #expect(broker.pendingCallCount == 0)
    }
}
