import DeepstreamBroker
import DeepstreamProtocol
import Foundation
import Testing

@Suite("The broker's default clock")
struct BrokerClockTests {
    @Test("Reads wall-clock time and never goes backwards")
    func monotonicWallClock() {
        let clock = SystemBrokerClock()
        let wall = UInt64(Date().timeIntervalSince1970 * 1e9)
        var previous = clock.now()
        let distance = previous.nanoseconds > wall ? previous.nanoseconds - wall : wall - previous.nanoseconds
        #expect(distance < 1_000_000_000)
        for _ in 0..<10_000 {
            let next = clock.now()
            #expect(next >= previous)
            previous = next
        }
    }
}
