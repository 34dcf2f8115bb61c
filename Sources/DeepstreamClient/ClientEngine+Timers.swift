/// Timers: every deadline lives in the ``TimerSchedule`` value, and one owned sleeper task waits on
/// the injected clock for the earliest of them. Arming a later deadline or cancelling one starts no
/// task: a later deadline waits in the schedule, and cancelling the earliest one moves the sleeper on.
extension ClientEngine {
    func arm(_ key: TimerSchedule.Key, after delay: Duration) {
        let deadline = elapsed() + delay
        schedule.arm(key, at: deadline)
        if let sleeper, sleeper.deadline <= deadline { return }
        replanTimers()
    }

    func cancelTimer(_ key: TimerSchedule.Key) {
        // Only the timer the sleeper waits for matters; a later one simply disappears.
        guard let deadline = schedule.cancel(key), deadline == sleeper?.deadline else { return }
        replanTimers()
    }

    /// Puts the sleeper on the earliest deadline (or stops it when nothing is armed).
    func replanTimers() {
        guard let next = schedule.nextDeadline() else {
            sleeper?.task.cancel()
            sleeper = nil
            return
        }
        if let sleeper, sleeper.deadline == next { return }
        sleeper?.task.cancel()
        sleeperToken += 1
        let token = sleeperToken
        let sleepUntil = self.sleepUntil
        let task = Task { [weak self] in
            do { try await sleepUntil(next) } catch { return }
            await self?.timersDue(token)
        }
        sleeper = (task, next, token)
    }

    private func timersDue(_ token: UInt64) {
        guard sleeper?.token == token else { return }
        sleeper = nil
        for key in schedule.takeDue(at: elapsed()) {
            fire(key)
        }
        replanTimers()
    }

    private func fire(_ key: TimerSchedule.Key) {
        switch key {
        case .callDeadline(let cid):
            guard let call = calls.end(cid) else { return }
            finish(call, .failure(.timeout(call.timeout ?? .zero)))
        case .engine(.subscriptionBatch):
            if machine.state == .open { apply(providers.batchTimerFired()) }
        case .engine(let timer):
            apply(machine.on(.timerFired(timer), now: elapsed()))
        }
    }
}
