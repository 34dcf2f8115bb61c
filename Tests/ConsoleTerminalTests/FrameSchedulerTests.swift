import Testing
@testable import ConsoleTerminal

/// A point in test time: a plain offset from zero that tests advance by hand.
private struct TestInstant: InstantProtocol {
    var offset: Duration

    func advanced(by duration: Duration) -> TestInstant {
        TestInstant(offset: offset + duration)
    }

    func duration(to other: TestInstant) -> Duration {
        other.offset - offset
    }

    static func < (lhs: TestInstant, rhs: TestInstant) -> Bool {
        lhs.offset < rhs.offset
    }

    static func milliseconds(_ value: Int) -> TestInstant {
        TestInstant(offset: .milliseconds(value))
    }
}

@Suite("FrameScheduler")
struct FrameSchedulerTests {
    @Test func firstFrameIsDueImmediately() {
        let scheduler = FrameScheduler<TestInstant>(framesPerSecond: 30)
        #expect(scheduler.isFrameDue(at: .milliseconds(0)))
        #expect(scheduler.delayUntilNextFrame(at: .milliseconds(0)) == .zero)
    }

    @Test func anUrgentChangeIsDueAtOnceWithinTheInterval() {
        var scheduler = FrameScheduler<TestInstant>(framesPerSecond: 30)
        scheduler.recordFrame(at: .milliseconds(0))
        scheduler.markDirty()
        #expect(!scheduler.isFrameDue(at: .milliseconds(5)))
        scheduler.markUrgent()
        #expect(scheduler.isFrameDue(at: .milliseconds(5)))
        let began = scheduler.beginFrameIfDue(at: .milliseconds(5))
        #expect(began)
        // The frame used the urgency up: the next ordinary change waits for the interval again.
        #expect(!scheduler.isUrgent)
        scheduler.markDirty()
        #expect(!scheduler.isFrameDue(at: .milliseconds(20)))
        #expect(scheduler.isFrameDue(at: .milliseconds(39)))
    }

    @Test func cleanSchedulerNeverDraws() {
        var scheduler = FrameScheduler<TestInstant>(framesPerSecond: 30)
        scheduler.recordFrame(at: .milliseconds(0))
        #expect(!scheduler.isDirty)
        #expect(!scheduler.isFrameDue(at: .milliseconds(10_000)))
        #expect(scheduler.delayUntilNextFrame(at: .milliseconds(10_000)) == nil)
    }

    @Test func dirtySchedulerWaitsForTheMinimumInterval() {
        var scheduler = FrameScheduler<TestInstant>(framesPerSecond: 20)
        #expect(scheduler.minimumInterval == .milliseconds(50))
        scheduler.recordFrame(at: .milliseconds(100))
        scheduler.markDirty()
        #expect(!scheduler.isFrameDue(at: .milliseconds(120)))
        #expect(scheduler.delayUntilNextFrame(at: .milliseconds(120)) == .milliseconds(30))
        #expect(scheduler.isFrameDue(at: .milliseconds(150)))
        #expect(scheduler.delayUntilNextFrame(at: .milliseconds(400)) == .zero)
    }

    @Test func beginFrameIfDueRecordsTheFrame() {
        var scheduler = FrameScheduler<TestInstant>(framesPerSecond: 10)
        let drew1 = scheduler.beginFrameIfDue(at: .milliseconds(0))
        #expect(drew1)
        #expect(scheduler.lastFrame == .milliseconds(0))
        let drew2 = scheduler.beginFrameIfDue(at: .milliseconds(1))
        #expect(!drew2)
        scheduler.markDirty()
        let drew3 = scheduler.beginFrameIfDue(at: .milliseconds(99))
        #expect(!drew3)
        #expect(scheduler.isDirty)
        let drew4 = scheduler.beginFrameIfDue(at: .milliseconds(100))
        #expect(drew4)
        #expect(!scheduler.isDirty)
    }

    @Test func manyChangesWithinAFrameGiveOneFrame() {
        var scheduler = FrameScheduler<TestInstant>(framesPerSecond: 30)
        var frames = 0
        for millisecond in 0..<1000 {
            scheduler.markDirty()
            if scheduler.beginFrameIfDue(at: .milliseconds(millisecond)) { frames += 1 }
        }
        #expect((29...31).contains(frames))
    }

    @Test func rateIsAtLeastOneFramePerSecond() {
        #expect(FrameScheduler<TestInstant>(framesPerSecond: 0).minimumInterval == .seconds(1))
    }
}
