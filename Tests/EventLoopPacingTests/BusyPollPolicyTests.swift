import EventLoopPacing
import Testing

@Suite("BusyPollPolicy: when an event loop keeps polling after input (injected time, no sleeps)")
struct BusyPollPolicyTests {
    let t0: UInt64 = 5_000_000_000
    func at(microseconds: UInt64) -> UInt64 { t0 + microseconds * 1_000 }

    @Test("Off (window 0): input never starts a polling task")
    func off() {
        var policy = BusyPollPolicy(window: .zero)
        #expect(!policy.isEnabled)
        do { let result = policy.inputHandled(at: t0); #expect(!result) }
        #expect(!policy.isPolling)
        #expect(policy.lastInput == nil)
        do { let result = policy.shouldKeepPolling(at: t0); #expect(!result) }
    }

    @Test("Input starts one polling task, which polls until the window after the input has passed")
    func windowAfterInput() {
        var policy = BusyPollPolicy(window: .microseconds(50))
        #expect(policy.windowNanoseconds == 50_000)
        do { let result = policy.inputHandled(at: t0); #expect(result) }
        #expect(policy.isPolling)
        do { let result = policy.shouldKeepPolling(at: t0); #expect(result) }
        do { let result = policy.shouldKeepPolling(at: at(microseconds: 49)); #expect(result) }
        do { let result = policy.shouldKeepPolling(at: at(microseconds: 50)); #expect(!result) }
        #expect(!policy.isPolling)
        // Stopped: a later check does not restart it; only input does, after one skipped (the window
        // caught nothing: back-off).
        do { let result = policy.shouldKeepPolling(at: at(microseconds: 10)); #expect(!result) }
        #expect(policy.skipsLeft == 1)
        do { let result = policy.inputHandled(at: at(microseconds: 60)); #expect(!result) }
        do { let result = policy.inputHandled(at: at(microseconds: 70)); #expect(result) }
    }

    @Test("Windows that catch nothing back off 1, 2, 4 … 64 inputs; a window that saw input come ends the back-off")
    func backsOff() {
        var policy = BusyPollPolicy(window: .microseconds(50))
        var time = t0
        /// One input, then (if it started a task) a window that passes with nothing ready.
        func emptyWindow() -> Bool {
            time += 1_000_000
            guard policy.inputHandled(at: time) else { return false }
            let polling = policy.shouldKeepPolling(at: time + 50_000)
            #expect(!polling)
            return true
        }
        for skips in [1, 2, 4, 8, 16, 32, 64, 64] {
            #expect(emptyWindow())
            for _ in 0..<skips { #expect(!emptyWindow()) }
        }
        // A task that sees readiness (an answer within the window) ends the back-off at once.
        #expect(emptyWindow())
        #expect(policy.skipsLeft == 64)
        for _ in 0..<64 { _ = emptyWindow() }
        time += 1_000_000
        do { let result = policy.inputHandled(at: time); #expect(result) }
        do { let result = policy.shouldKeepPolling(at: time + 10_000); #expect(result) }
        policy.readinessSeen()
        #expect(policy.skipsLeft == 0)
        time += 1_000_000
        do { let result = policy.inputHandled(at: time); #expect(result) }
    }

    @Test("More input while a task polls restarts the window but queues no second task")
    func inputWhilePolling() {
        var policy = BusyPollPolicy(window: .microseconds(50))
        do { let result = policy.inputHandled(at: t0); #expect(result) }
        do { let result = policy.inputHandled(at: at(microseconds: 40)); #expect(!result) }
        #expect(policy.lastInput == at(microseconds: 40))
        do { let result = policy.shouldKeepPolling(at: at(microseconds: 80)); #expect(result) }
        do { let result = policy.shouldKeepPolling(at: at(microseconds: 90)); #expect(!result) }
    }

    @Test("Readiness ends the task; the input it leads to starts the next one")
    func readiness() {
        var policy = BusyPollPolicy(window: .microseconds(100))
        do { let result = policy.inputHandled(at: t0); #expect(result) }
        do { let result = policy.shouldKeepPolling(at: at(microseconds: 5)); #expect(result) }
        policy.readinessSeen()
        #expect(!policy.isPolling)
        do { let result = policy.shouldKeepPolling(at: at(microseconds: 6)); #expect(!result) }
        do { let result = policy.inputHandled(at: at(microseconds: 7)); #expect(result) }
        do { let result = policy.shouldKeepPolling(at: at(microseconds: 100)); #expect(result) }
    }

    @Test("A clock reading before the last input counts as no time passed")
    func clockBeforeInput() {
        var policy = BusyPollPolicy(window: .microseconds(10))
        do { let result = policy.inputHandled(at: t0); #expect(result) }
        do { let result = policy.shouldKeepPolling(at: t0 - 1_000_000); #expect(result) }
    }

    @Test("The window is clamped to 0…10 ms")
    func clamped() {
        #expect(BusyPollPolicy(window: .seconds(5)).windowNanoseconds == 10_000_000)
        #expect(BusyPollPolicy(window: .microseconds(-3)).windowNanoseconds == 0)
        #expect(BusyPollPolicy(window: .nanoseconds(1_500)).windowNanoseconds == 1_500)
    }

    @Test("--busy-poll values: 0 to 10000 µs; negative and absurd values get a one-line reason")
    func optionValues() throws {
        #expect(try BusyPollPolicy.window(microseconds: 0) == .zero)
        #expect(try BusyPollPolicy.window(microseconds: 50) == .microseconds(50))
        #expect(try BusyPollPolicy.window(microseconds: 10_000) == .milliseconds(10))
        for (value, problem, line) in [
            (-1, PacingOptionError.Problem.negative, "--busy-poll must be 0 (off) or more microseconds, not -1"),
            (20_000, .tooLarge,
             "--busy-poll 20000 is too long: at most 10000 µs (10 ms), or the loop becomes a spinning thread"),
        ] {
            do {
                _ = try BusyPollPolicy.window(microseconds: value)
                Issue.record("\(value) accepted")
            } catch {
                #expect(error.problem == problem)
                #expect(error.value == value)
                #expect(error.description == line)
            }
        }
    }
}
