import EventLoopPacing
import Testing

@Suite("ReadCoalescingPolicy: when an event loop naps between read batches (injected time, no sleeps)")
struct ReadCoalescingPolicyTests {
    let t0: UInt64 = 7_000_000_000
    func at(milliseconds: UInt64) -> UInt64 { t0 + milliseconds * 1_000_000 }
    /// 20 ms: one measurement period.
    var period: UInt64 { ReadCoalescingPolicy.measurementPeriodNanoseconds / 1_000_000 }

    /// Reads `messages`, then ends a batch at `time`; returns whether a nap must be queued.
    func batch(_ policy: inout ReadCoalescingPolicy, messages: Int, at time: UInt64) -> Bool {
        policy.messagesRead(messages)
        return policy.batchHandled(at: time)
    }

    @Test("Off (nap 0): never naps, whatever the rate")
    func off() {
        var policy = ReadCoalescingPolicy(nap: .zero)
        #expect(!policy.isEnabled)
        for step in 0..<100 {
            let nap = batch(&policy, messages: 1_000, at: at(milliseconds: UInt64(step)))
            #expect(!nap)
        }
        #expect(!policy.isEngaged)
    }

    @Test("Sustained traffic at the rate engages after one period; one nap task queued at a time until it decides")
    func engagesAtRate() {
        var policy = ReadCoalescingPolicy(nap: .microseconds(500), engagementRate: 2_000)
        #expect(policy.napNanoseconds == 500_000)
        // The first batch only starts the period.
        do { let nap = batch(&policy, messages: 1, at: t0); #expect(!nap) }
        // 2,000/s over 20 ms is 40 messages: 39 is below, so a batch within the period never naps.
        do { let nap = batch(&policy, messages: 38, at: at(milliseconds: 10)); #expect(!nap) }
        do { let nap = batch(&policy, messages: 1, at: at(milliseconds: period)); #expect(!nap) }
        #expect(!policy.isEngaged)
        // The next period reaches the rate exactly (40 in 20 ms): engaged at its end.
        do { let nap = batch(&policy, messages: 40, at: at(milliseconds: 2 * period)); #expect(nap) }
        #expect(policy.isEngaged)
        #expect(policy.isNapQueued)
        // Another batch while the nap is queued (a second connection read in the same tick) queues none.
        do { let nap = batch(&policy, messages: 3, at: at(milliseconds: 2 * period)); #expect(!nap) }
        _ = policy.decide(inputPending: false)
        #expect(!policy.isNapQueued)
        do { let nap = batch(&policy, messages: 3, at: at(milliseconds: 2 * period + 1)); #expect(nap) }
    }

    @Test("The rate counts messages, not batches: napping, which merges batches, does not switch itself off")
    func countsMessages() {
        var policy = ReadCoalescingPolicy(nap: .microseconds(500), engagementRate: 2_000)
        _ = batch(&policy, messages: 0, at: t0)
        // 5,000 messages/s arriving as one batch of 10 every 2 ms (what a loop napping 2 ms would read).
        var time = t0
        var naps = 0
        for _ in 0..<50 {
            time += 2_000_000
            if batch(&policy, messages: 10, at: time) { naps += 1; _ = policy.decide(inputPending: false) }
        }
        #expect(policy.isEngaged)
        // Engaged from the end of the first period (10 batches) on.
        #expect(naps == 41)
    }

    @Test("A lone message after a quiet spell is not delayed, and a falling rate disengages at the period's end")
    func disengages() {
        var policy = ReadCoalescingPolicy(nap: .microseconds(500), engagementRate: 2_000)
        _ = batch(&policy, messages: 0, at: t0)
        do { let nap = batch(&policy, messages: 100, at: at(milliseconds: period)); #expect(nap) }
        _ = policy.decide(inputPending: false)
        // Ten quiet seconds, then one message: the period that ends now holds one message in 10 s.
        do { let nap = batch(&policy, messages: 1, at: at(milliseconds: period + 10_000)); #expect(!nap) }
        #expect(!policy.isEngaged)
        // Engaged again, then the traffic thins to one message every 5 ms (200/s): the batches inside the
        // period still nap (the decision is per period), the one that closes it does not.
        let start = period + 10_000
        do { let nap = batch(&policy, messages: 100, at: at(milliseconds: start + period)); #expect(nap) }
        _ = policy.decide(inputPending: false)
        for step in 1...3 {
            let nap = batch(&policy, messages: 1, at: at(milliseconds: start + period + 5 * UInt64(step)))
            #expect(nap)
            _ = policy.decide(inputPending: false)
        }
        do { let nap = batch(&policy, messages: 1, at: at(milliseconds: start + 2 * period)); #expect(!nap) }
        #expect(!policy.isEngaged)
    }

    /// A policy engaged by one busy period (60 messages in 20 ms: 3,000/s), its first nap task queued.
    func engaged() -> ReadCoalescingPolicy {
        var policy = ReadCoalescingPolicy(nap: .microseconds(500), engagementRate: 2_000)
        _ = batch(&policy, messages: 0, at: t0)
        _ = batch(&policy, messages: 60, at: at(milliseconds: period))
        return policy
    }

    @Test("A busy loop does not sleep: input already waiting, or a tick of 64 messages or more")
    func loopBusy() {
        var policy = engaged()
        #expect(policy.decide(inputPending: true) == .loopBusy)
        #expect(!policy.isNapQueued)
        // The next batch queues a task again, which sleeps when nothing waits.
        do { let nap = batch(&policy, messages: 5, at: at(milliseconds: period + 1)); #expect(nap) }
        #expect(policy.decide(inputPending: false) == .nap)
        do { let nap = batch(&policy, messages: ReadCoalescingPolicy.busyTickMessages, at: at(milliseconds: period + 2)); #expect(nap) }
        #expect(policy.decide(inputPending: false) == .loopBusy)
        do { let nap = batch(&policy, messages: ReadCoalescingPolicy.busyTickMessages - 1, at: at(milliseconds: period + 3)); #expect(nap) }
        #expect(policy.decide(inputPending: false) == .nap)
    }

    @Test("What a nap merged: one read of two messages (a call's ACCEPT and RESPONSE) is nothing; two reads, or three messages, are")
    func fruitfulness() {
        var policy = engaged()
        var time = at(milliseconds: period)
        func afterNap(reads: [Int]) -> Int {
            #expect(policy.decide(inputPending: false) == .nap)
            for messages in reads {
                time += 100_000
                _ = batch(&policy, messages: messages, at: time)
            }
            // The next task skips (1 = backing off) only if the nap merged nothing.
            let decision = policy.decide(inputPending: false)
            let skipped = decision == .backingOff ? 1 : 0
            while policy.skipsLeft > 0 { time += 100_000; _ = batch(&policy, messages: 1, at: time); _ = policy.decide(inputPending: false) }
            time += 100_000
            _ = batch(&policy, messages: 3, at: time)
            return skipped
        }
        _ = policy.decide(inputPending: false)
        time += 100_000
        _ = batch(&policy, messages: 3, at: time)
        #expect(afterNap(reads: [2]) == 1)
        #expect(afterNap(reads: [1, 1]) == 0)
        #expect(afterNap(reads: [3]) == 0)
        #expect(afterNap(reads: [1]) == 1)
    }

    @Test("Naps that merge nothing back off 1, 2, 4 … 64 tasks; a nap that merged messages ends the back-off")
    func backsOff() {
        var policy = engaged()
        #expect(policy.decide(inputPending: false) == .nap)
        var time = at(milliseconds: period)
        /// One message (a reply, one call at a time), then the nap task's decision.
        func oneMessage() -> ReadCoalescingPolicy.Decision {
            time += 100_000
            // Keeps the rate high enough to stay engaged: 1 message per 100 µs is 10,000/s.
            let queued = batch(&policy, messages: 1, at: time)
            #expect(queued)
            return policy.decide(inputPending: false)
        }
        // After each fruitless nap the skips double: 1, 2, 4, …, then stay at 64.
        for skips in [1, 2, 4, 8, 16, 32, 64, 64] {
            for _ in 0..<skips { #expect(oneMessage() == .backingOff) }
            #expect(oneMessage() == .nap)
        }
        // A nap followed by several messages (calls in parallel) merged them: the back-off ends, and the
        // next fruitless nap starts again from one skip.
        time += 100_000
        _ = batch(&policy, messages: 6, at: time)
        #expect(policy.decide(inputPending: false) == .nap)
        #expect(policy.skipsLeft == 0)
        #expect(oneMessage() == .backingOff)
        #expect(oneMessage() == .nap)
        // Input waiting skips the sleep but not the judgement of the nap before (one message: 2 skips),
        // and skips none of them; a skipped task is no nap, so the task after it judges nothing.
        time += 100_000
        _ = batch(&policy, messages: 1, at: time)
        #expect(policy.decide(inputPending: true) == .loopBusy)
        #expect(policy.skipsLeft == 2)
        #expect(oneMessage() == .backingOff)
        #expect(oneMessage() == .backingOff)
        #expect(policy.skipsLeft == 0)
        #expect(oneMessage() == .nap)
    }

    @Test("A clock that goes back counts as no time passed; huge counts and times neither trap nor engage wrongly")
    func edges() {
        var policy = ReadCoalescingPolicy(nap: .microseconds(500), engagementRate: 2_000)
        _ = batch(&policy, messages: 0, at: t0)
        do { let nap = batch(&policy, messages: 1_000, at: t0 - 5_000_000); #expect(!nap) }
        #expect(!policy.isEngaged)
        do { let nap = batch(&policy, messages: Int.max / 2, at: at(milliseconds: period)); #expect(nap) }
        _ = policy.decide(inputPending: true)
        // A quiet spell so long that rate × time overflows: one message after it does not engage.
        do { let nap = batch(&policy, messages: 1, at: UInt64.max); #expect(!nap) }
        #expect(!policy.isEngaged)
        // A negative count is ignored rather than trapping.
        policy.messagesRead(-5)
    }

    @Test("The nap is clamped to 0…10 ms; the option accepts 0…10000 µs with one-line errors")
    func limits() throws {
        #expect(ReadCoalescingPolicy(nap: .seconds(1)).napNanoseconds == 10_000_000)
        #expect(ReadCoalescingPolicy(nap: .microseconds(-3)).napNanoseconds == 0)
        #expect(try ReadCoalescingPolicy.nap(microseconds: 0) == .zero)
        #expect(try ReadCoalescingPolicy.nap(microseconds: 10_000) == .milliseconds(10))
        #expect(throws: PacingOptionError.self) { try ReadCoalescingPolicy.nap(microseconds: -1) }
        do {
            _ = try ReadCoalescingPolicy.nap(microseconds: -1)
        } catch {
            #expect(error.description == "--coalesce-reads must be 0 (off) or more microseconds, not -1")
        }
        do {
            _ = try ReadCoalescingPolicy.nap(microseconds: 10_001)
            Issue.record("10001 accepted")
        } catch {
            #expect(error.problem == .tooLarge)
            #expect(error.description == "--coalesce-reads 10001 is too long: at most 10000 µs (10 ms), or replies would wait noticeably")
        }
    }
}
