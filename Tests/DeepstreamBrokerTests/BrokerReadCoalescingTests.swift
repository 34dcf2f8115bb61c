import DeepstreamBroker
import DeepstreamProtocol
import EventLoopPacing
import Testing

@Suite("Broker with read coalescing on, over real sockets")
struct BrokerReadCoalescingTests {
    @Test("Sustained traffic makes the loop nap, and every call is still answered in order")
    func napsUnderSustainedTraffic() async throws {
        let configuration = testConfiguration { $0.readCoalescingNap = .microseconds(500) }
        try await withBroker(configuration) { broker, port in
            let provider = try await loggedInClient(port: port)
            let requestor = try await loggedInClient(port: port)
            try await provider.provide(["echo"])
            // Rounds of 50 pipelined calls (three messages each at the broker) until a 20 ms measurement
            // period at 2,000 messages/s or more has made the loop nap; a few rounds are enough on any
            // machine, the cap only keeps a broken build from looping for ever.
            var round = 0
            var counts = ReadCoalescingCounts()
            while counts.naps == 0, round < 200 {
                for index in 0..<50 {
                    try await requestor.request("echo", correlationId: "r\(round)-\(index)", data: "\(index)")
                }
                for index in 0..<50 {
                    let request = try await provider.nextRPC()
                    #expect(request.correlationId == "r\(round)-\(index)")
                    try await provider.reply(.accept, to: request)
                    try await provider.reply(.response, to: request, data: "\(index * 2)")
                }
                for index in 0..<50 {
                    #expect(try await requestor.nextRPC().action == .accept)
                    #expect(try await requestor.nextRPC() == RPCMessage(
                        action: .response, data: "\(index * 2)", correlationId: "r\(round)-\(index)", name: "echo"))
                }
                round += 1
                counts = try #require(await broker.readCoalescingCounts())
            }
            #expect(counts.naps > 0)
            #expect(broker.pendingCallCount == 0)
        }
    }

    @Test("Calls one at a time: the naps merge nothing, so the loop backs off instead of delaying every reply")
    func backsOffOneAtATime() async throws {
        // Engaged from 100 messages/s, so that any machine running the test engages it.
        let configuration = testConfiguration {
            $0.readCoalescingNap = .microseconds(500)
            $0.readCoalescingEngagementRate = 100
        }
        try await withBroker(configuration) { broker, port in
            let provider = try await loggedInClient(port: port)
            let requestor = try await loggedInClient(port: port)
            try await provider.provide(["echo"])
            // One call at a time (three messages at the broker each) until the loop has skipped at least
            // 1 + 2 + 4 naps: three fruitless naps with a doubling back-off.
            var counts = ReadCoalescingCounts()
            var index = 0
            let deadline = ContinuousClock.now + .seconds(20)
            while counts.skippedBackingOff < 7, ContinuousClock.now < deadline {
                for _ in 0..<100 {
                    try await requestor.request("echo", correlationId: "c\(index)", data: "\(index)")
                    let request = try await provider.nextRPC()
                    try await provider.reply(.accept, to: request)
                    try await provider.reply(.response, to: request, data: "\(index)")
                    #expect(try await requestor.nextRPC().action == .accept)
                    #expect(try await requestor.nextRPC() == RPCMessage(
                        action: .response, data: "\(index)", correlationId: "c\(index)", name: "echo"))
                    index += 1
                }
                counts = try #require(await broker.readCoalescingCounts())
            }
            #expect(counts.skippedBackingOff >= 7)
            // The skips double: n fruitless naps buy 2ⁿ − 1 skips, so naps stay near log₂ of the skips
            // (a back-off stuck at one skip would nap as often as it skips).
            #expect(counts.naps <= counts.skippedBackingOff / 2 + 2)
        }
    }

    @Test("A few calls after logging in stay below the rate: no nap, so nothing is delayed")
    func noNapWhenQuiet() async throws {
        let configuration = testConfiguration { $0.readCoalescingNap = .milliseconds(10) }
        try await withBroker(configuration) { broker, port in
            let provider = try await loggedInClient(port: port)
            let requestor = try await loggedInClient(port: port)
            try await provider.provide(["echo"])
            // Fewer than the 40 messages one 20 ms period needs to reach 2,000/s, however fast they come.
            for index in 0..<5 {
                try await requestor.request("echo", correlationId: "c\(index)", data: "\(index)")
                let request = try await provider.nextRPC()
                try await provider.reply(.accept, to: request)
                try await provider.reply(.response, to: request, data: "\"ok\"")
                #expect(try await requestor.nextRPC().action == .accept)
                #expect(try await requestor.nextRPC().action == .response)
            }
            #expect(await broker.readCoalescingCounts() == ReadCoalescingCounts())
        }
    }

    @Test("Off by default; refused together with busy-poll, with one line saying why")
    func offByDefaultAndExclusive() async throws {
        try await withBroker { broker, port in
            let client = try await loggedInClient(port: port)
            try await client.provide(["x"])
            #expect(await broker.readCoalescingCounts() == nil)
        }
        let both = testConfiguration {
            $0.readCoalescingNap = .microseconds(500)
            $0.busyPollWindow = .microseconds(50)
        }
        let broker = Broker(configuration: both)
        do {
            try await broker.start()
            Issue.record("started with both busy-poll and read coalescing")
        } catch {
            #expect(error.reason == "busy-poll and read coalescing pull opposite ways (one spins after a read, the other sleeps): choose one")
        }
        await broker.shutdown()
    }
}
