import Foundation
import Testing

/// The end-to-end harness itself: spawning, and driving a program in tmux.
@Suite("tmux harness")
struct TmuxHarnessTests {
    @Test func spawnCapturesOutputAndStatus() async throws {
        let result = try await Spawn.run("/bin/sh", ["-c", "echo out; echo err >&2; exit 4"])
        #expect(result.exitStatus == 4)
        #expect(result.output.contains("out"))
        #expect(result.output.contains("err"))
        #expect(!result.timedOut)
    }

    @Test func spawnKillsAProcessThatOutlivesItsTimeout() async throws {
        let started = ContinuousClock.now
        let result = try await Spawn.run("/bin/sh", ["-c", "sleep 30"], timeout: .milliseconds(200))
        #expect(result.timedOut)
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    @Test func spawnedProcessGetsTerminationSignals() async throws {
        // With the test thread's blocked signal mask inherited, the TERM would never arrive.
        let result = try await Spawn.run("/bin/sh", ["-c", "kill -TERM $$; sleep 5"], timeout: .seconds(4))
        #expect(result.terminatingSignal == SIGTERM)
    }

    @Test func capturesWhatACommandPrints() async throws {
        let session = try await TmuxSession.start(command: "printf 'hello from tmux'; sleep 5", width: 40, height: 5)
        do {
            let screen = try await session.waitUntil { $0.contains("hello from tmux") }
            #expect(screen.hasPrefix("hello from tmux"))
        } catch {
            await session.kill()
            throw error
        }
        let started = ContinuousClock.now
        await session.kill()
        #expect(ContinuousClock.now - started < .seconds(3))
    }

    @Test func sendsKeysToTheProgram() async throws {
        let session = try await TmuxSession.start(command: "cat", width: 40, height: 5)
        do {
            try await session.type("abc 漢字")
            try await session.sendKeys("Enter")
            let screen = try await session.waitUntil { $0.components(separatedBy: "abc 漢字").count == 3 }
            #expect(screen.hasPrefix("abc 漢字\nabc 漢字"))
        } catch {
            await session.kill()
            throw error
        }
        await session.kill()
    }

    @Test func resizeReachesTheProgram() async throws {
        let command = "stty size; trap 'stty size' WINCH; while :; do sleep 0.05; done"
        let session = try await TmuxSession.start(command: command, width: 50, height: 10)
        do {
            try await session.waitUntil { $0.contains("10 50") }
            try await session.resize(width: 70, height: 12)
            try await session.waitUntil { $0.contains("12 70") }
        } catch {
            await session.kill()
            throw error
        }
        await session.kill()
    }

    @Test func reportsTheExitStatusOfTheCommand() async throws {
        let session = try await TmuxSession.start(command: "exit 3", width: 40, height: 5)
        do {
            let deadline = ContinuousClock.now + .seconds(5)
            var status: Int32?
            while status == nil && ContinuousClock.now < deadline {
                status = try await session.exitStatus()
                if status == nil { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(status == 3)
        } catch {
            await session.kill()
            throw error
        }
        await session.kill()
    }

    @Test func findsTheBuiltConsole() {
        #expect(BuiltProducts.directory.lastPathComponent == "debug" || BuiltProducts.directory.lastPathComponent == "release")
        #expect(FileManager.default.isExecutableFile(atPath: BuiltProducts.dsconsole.path))
    }
}
