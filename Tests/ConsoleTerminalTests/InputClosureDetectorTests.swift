import Testing
@testable import ConsoleTerminal

@Suite("InputClosureDetector")
struct InputClosureDetectorTests {
    @Test func timeoutsNeverCloseTheInput() {
        var detector = InputClosureDetector()
        for _ in 0..<100 {
            let closed = detector.observe(.idle)
            #expect(!closed)
        }
        #expect(!detector.isClosed)
    }

    @Test func hangUpClosesAtOnce() {
        var detector = InputClosureDetector()
        let closed = detector.observe(.hungUp)
        #expect(closed)
    }

    @Test func readableButEmptyNeedsConfirmation() {
        var detector = InputClosureDetector(confirmations: 2)
        let first = detector.observe(.readableButEmpty)
        #expect(!first)
        let second = detector.observe(.readableButEmpty)
        #expect(second)
    }

    @Test func anythingElseInBetweenResetsTheCount() {
        var detector = InputClosureDetector(confirmations: 2)
        _ = detector.observe(.readableButEmpty)
        _ = detector.observe(.pending)
        let afterPending = detector.observe(.readableButEmpty)
        #expect(!afterPending)
        detector.keyArrived()
        let afterKey = detector.observe(.readableButEmpty)
        #expect(!afterKey)
    }

    @Test func closedStaysClosed() {
        var detector = InputClosureDetector()
        _ = detector.observe(.hungUp)
        let later = detector.observe(.idle)
        #expect(later)
        #expect(detector.isClosed)
    }
}
