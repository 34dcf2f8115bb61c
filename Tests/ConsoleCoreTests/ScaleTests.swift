import ConsoleCore
import DeepstreamProtocol
import Testing

@Suite("Call log at full capacity")
struct ScaleTests {
    /// 250,000 calls through the default 100,000-call log while following with a filter that matches
    /// one call in 50,000: every event must stay cheap (no rescans of the log per event).
    @Test func fullLogWithARareFilterStaysFast() {
        var state = ConsoleState(configuration: ConsoleConfiguration(url: "ws://x", embeddedBroker: true))
        #expect(state.calls.log.capacity == 100_000)
        press(&state, .character("/"))
        type(&state, "name:rare")
        press(&state, .enter)
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            for index in 0..<250_000 {
                let name = index % 50_000 == 49_999 ? "rare" : "common"
                let at = time(index / 1000, ms: index % 1000)
                _ = reduce(&state, brokerCall("c\(index)", name, .requested(data: nil), at: at))
                _ = reduce(&state, brokerCall("c\(index)", name, .responded(data: "1"), at: at))
            }
        }
        #expect(state.calls.log.count == 100_000)
        #expect(state.calls.log.droppedCount == 150_000)
        #expect(state.calls.isFollowing)
        #expect(visibleNames(state) == ["rare", "rare"])
        #expect(state.calls.selectedRecord?.key.call.correlationId == "c249999")
        #expect(state.stats.inFlight == 0)
        // Generous bound for a loaded 2-core machine in a debug build; a per-event rescan of the log
        // takes minutes here.
        #expect(elapsed < .seconds(60), "took \(elapsed)")
        print("500,000 events through a full log: \(elapsed)")
    }
}
