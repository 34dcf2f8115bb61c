import CallStatistics
import ConsoleCore
import DeepstreamProtocol
import Testing

@Suite("Stats: calls/s, in flight, errors, dropped events")
struct StatsTests {
    @Test func rateIsASlidingWindowDrivenByTicks() {
        var meter = CallRateMeter(windowSeconds: 5)
        #expect(meter.callsPerSecond == 0)
        for index in 0..<10 { meter.record(at: time(0, ms: index * 50)) }
        meter.advance(to: time(0, ms: 900))
        #expect(meter.callsPerSecond == 2)
        for index in 0..<5 { meter.record(at: time(3, ms: index)) }
        #expect(meter.callsPerSecond == 3)
        meter.advance(to: time(5))
        // Second 0 has left the window (5 s: seconds 1–5).
        #expect(meter.callsPerSecond == 1)
        meter.advance(to: time(9))
        #expect(meter.callsPerSecond == 0)
    }

    @Test func statsFollowCallsInTheReducer() {
        var state = makeState(embedded: true)
        _ = reduce(&state, brokerCall("a", .requested(data: nil), at: time(0)))
        _ = reduce(&state, brokerCall("b", .requested(data: nil), at: time(0, ms: 100)))
        _ = reduce(&state, brokerCall("c", .requested(data: nil), at: time(0, ms: 200)))
        #expect(state.stats.inFlight == 3)
        _ = reduce(&state, brokerCall("a", .responded(data: nil), at: time(0, ms: 300)))
        _ = reduce(&state, brokerCall("b", .errored(data: "\"bad\""), at: time(0, ms: 300)))
        _ = reduce(&state, brokerCall("c", .failed(reason: .noRPCProvider), at: time(0, ms: 300)))
        // A duplicate final step counts once.
        _ = reduce(&state, brokerCall("c", .failed(reason: .noRPCProvider), at: time(0, ms: 400)))
        #expect(state.stats.inFlight == 0)
        #expect(state.stats.callErrors == 2)
        _ = reduce(&state, .tick(time(0, ms: 500)))
        #expect(state.stats.rate.callsPerSecond == 3.0 / 5)
        _ = reduce(&state, .engine(.dropped(count: 42)))
        _ = reduce(&state, .engine(.error(kind: "HEARTBEAT_TIMEOUT", message: "no pong", at: time(1))))
        #expect(state.stats.droppedEvents == 42)
        // A connection problem is not a call error: counted apart, shown as a notice.
        #expect(state.stats.errors == 2)
        #expect(state.stats.engineErrors == 1)
        #expect(state.notice?.text == "HEARTBEAT_TIMEOUT: no pong")
    }

    @Test func onTheEmbeddedBrokerOnlyTheBrokersViewCounts() {
        var state = makeState(embedded: true)
        let own = CallEvent(call: CallID(requestor: nil, correlationId: "m1"), name: "add", step: .requested(data: nil), at: time(0))
        _ = reduce(&state, .engine(.outgoingCall(own)))
        _ = reduce(&state, brokerCall("m1", .requested(data: nil), at: time(0)))
        // The broker's row stands for the console's own call: one row, counted once.
        #expect(state.calls.log.count == 1)
        #expect(state.stats.inFlight == 1)

        var remote = makeState(embedded: false)
        _ = reduce(&remote, .engine(.outgoingCall(own)))
        #expect(remote.stats.inFlight == 1)
        #expect(remote.calls.selectedRecord.map(remote.route(of:)) == "me → ?")
    }

    @Test func evictingACallInFlightKeepsInFlightHonest() {
        var state = makeState(capacity: 2)
        _ = reduce(&state, brokerCall("a", .requested(data: nil), at: time(0)))
        _ = reduce(&state, brokerCall("b", .requested(data: nil), at: time(0)))
        _ = reduce(&state, brokerCall("c", .requested(data: nil), at: time(0)))
        #expect(state.stats.inFlight == 2)
        #expect(state.calls.log.droppedCount == 1)
    }

    @Test func noticesExpireWithTicks() {
        var state = makeState()
        _ = reduce(&state, .tick(time(10)))
        press(&state, .function(5))
        #expect(state.notice != nil)
        _ = reduce(&state, .tick(time(14)))
        #expect(state.notice != nil)
        _ = reduce(&state, .tick(time(15)))
        #expect(state.notice == nil)
    }

    @Test func connectionStateIsTracked() {
        var state = makeState()
        _ = reduce(&state, .engine(.stateChanged(from: .closed, to: .open, at: time(0))))
        #expect(state.connection == .open)
        _ = reduce(&state, .engine(.stateChanged(from: .open, to: .challengeDenied, at: time(0))))
        #expect(state.notice?.isError == true)
    }
}
