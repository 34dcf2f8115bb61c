import CallRecording
import DeepstreamProtocol
import Foundation
import Testing

extension BinaryTests {
    @Suite("replay (binary)")
    struct ReplayCommandTests {
        static let originalProviders = """
            {"providers": [
              {"name": "greet", "template": {"greeting": "Hello, {{data.name}}!", "id": "{{correlationId}}", "items": [{"id": "{{correlationId}}", "n": 1}]}},
              {"name": "add", "template": "{{data.a + data.b}}"},
              {"name": "fails", "error": {"why": "no"}}
            ]}
            """
        static let changedProviders = """
            {"providers": [
              {"name": "greet", "template": {"greeting": "Hi, {{data.name}}!", "id": "{{correlationId}}", "items": [{"id": "{{correlationId}}", "n": 1}], "extra": true}},
              {"name": "add", "template": "{{data.a + data.b}}"},
              {"name": "fails", "reply": {"ok": true}}
            ]}
            """

        /// `dsconsole serve` on an ephemeral port; its URL.
        static func serve() async throws -> (ChildProcess, String) {
            let serve = try ChildProcess(["serve", "--port", "0", "--log-level", "warning"])
            #expect(await serve.waitFor("listening on ws://", inStderr: false), "serve did not start: \(serve.stderr)")
            let line = try #require(serve.stdout.split(separator: "\n").first { $0.contains("listening on ws://") })
            let url = try #require(line.split(separator: " ").first { $0.hasPrefix("ws://") })
            return (serve, String(url))
        }

        /// Records greet ×3, add ×2 and fails ×1 through `record --serve` with the original providers.
        static func makeRecording(in dir: URL) async throws -> String {
            let path = dir.appendingPathComponent("calls.jsonl").path
            let record = try ChildProcess(["record", path, "--serve", "--port", "0"])
            #expect(await record.waitFor("\"event\":\"listening\"", inStderr: false), "record did not start: \(record.stderr)")
            let url = try #require(try jsonLines(record.stdout).first?["url"]?.stringValue)
            let providers = try temporaryFile(originalProviders)
            let provider = try await BinaryTests.CallCommandTests.provider(["--file", providers], url: url)
            for name in ["Ada", "Bob", "Cy"] {
                let call = try await ChildProcess.run(["call", "greet", #"{"name":"\#(name)"}"#, "--url", url])
                #expect(call.status == 0, "\(call.stderr)")
            }
            for (a, b) in [(1, 2), (40, 2)] {
                #expect(try await ChildProcess.run(["call", "add", #"{"a":\#(a),"b":\#(b)}"#, "--url", url]).status == 0)
            }
            #expect(try await ChildProcess.run(["call", "fails", "--url", url]).status == 1)
            #expect(await record.waitFor("6 calls recorded"), "\(record.stderr)")
            #expect(await BinaryTests.CallCommandTests.stop(provider) == 0)
            record.send(SIGINT)
            #expect(await record.wait(timeout: .seconds(10)) == 0)
            return path
        }

        @Test("Same providers: exit 0 and every call the same; changed providers: exit 1 with the diff paths; --ignore and --filter")
        func sameAndChanged() async throws {
            let (dir, _) = try RecordCommandTests.temporaryPath("x")
            defer { try? FileManager.default.removeItem(at: dir) }
            let path = try await Self.makeRecording(in: dir)

            let (serve, url) = try await Self.serve()
            defer { serve.send(SIGTERM) }
            let original = try await BinaryTests.CallCommandTests.provider(["--file", try temporaryFile(Self.originalProviders)], url: url)
            // The correlation ids differ from the recorded ones, so $.id and $.items[*].id must be ignored.
            let same = try await ChildProcess.run(["replay", path, "--url", url, "--speed", "max", "--ignore", "$.id", "--ignore", "$.items[*].id"])
            #expect(same.status == 0, "stdout: \(same.stdout) stderr: \(same.stderr)")
            #expect(same.stdout.contains("greet      3     3          0         0"), "\(same.stdout)")
            #expect(same.stdout.contains("total      6     6          0         0"), "\(same.stdout)")
            // Without the ignores, the volatile ids show up as the only differences.
            let volatile = try await ChildProcess.run(["replay", path, "--url", url, "--speed", "max", "--filter", "name:greet"])
            #expect(volatile.status == 1)
            #expect(volatile.stdout.contains("~ $.id: "), "\(volatile.stdout)")
            #expect(volatile.stdout.contains("~ $.items[0].id: "), "\(volatile.stdout)")
            #expect(!volatile.stdout.contains("$.greeting"))
            #expect(await BinaryTests.CallCommandTests.stop(original) == 0)

            let changed = try await BinaryTests.CallCommandTests.provider(["--file", try temporaryFile(Self.changedProviders)], url: url)
            let differed = try await ChildProcess.run([
                "replay", path, "--url", url, "--speed", "4", "--ignore", "$..id", "--json",
            ])
            #expect(differed.status == 1, "stdout: \(differed.stdout) stderr: \(differed.stderr)")
            let report = try JSONValue(parsing: differed.stdout)
            #expect(report["result"] == "differed")
            #expect(report["calls"] == 6 && report["same"] == 2 && report["different"] == 3 && report["differentOutcome"] == 1)
            guard case .array(let mismatches)? = report["mismatches"] else {
                Issue.record("no mismatches in \(differed.stdout)")
                return
            }
            let greet = try #require(mismatches.first { $0["name"] == "greet" })
            guard case .array(let differences)? = greet["differences"] else {
                Issue.record("no differences in \(greet)")
                return
            }
            #expect(differences.map { "\($0["kind"]?.stringValue ?? "") \($0["path"]?.stringValue ?? "")" } == [
                "changed $.greeting", "added $.extra",
            ])
            #expect(differences.first?["recorded"] == "Hello, Ada!" || differences.first?["recorded"] == "Hello, Bob!"
                || differences.first?["recorded"] == "Hello, Cy!")
            let fails = try #require(mismatches.first { $0["name"] == "fails" })
            #expect(fails["verdict"] == "different-outcome")
            #expect(fails["recordedOutcome"] == "REQUEST_ERROR" && fails["replayedOutcome"] == "RESPONSE")
            // Ignoring what changed, and filtering out the changed outcome, makes the same run pass.
            let ignored = try await ChildProcess.run([
                "replay", path, "--url", url, "--speed", "max", "--ignore", "$..id", "--ignore", "$.greeting",
                "--ignore", "$.extra", "--filter=-name:fails",
            ])
            #expect(ignored.status == 0, "\(ignored.stdout) \(ignored.stderr)")
            #expect(ignored.stdout.contains("total      5     5"), "\(ignored.stdout)")
            // Progress: not a terminal, so lines (at most one per second; the replay may end sooner).
            #expect(!differed.stderr.contains("\r"))
            #expect(await BinaryTests.CallCommandTests.stop(changed) == 0)
        }

        @Test("Recorded pacing scaled by --speed: 1 s of recording takes about 0.5 s at --speed 2")
        func pacing() async throws {
            let (dir, path) = try RecordCommandTests.temporaryPath("paced.jsonl")
            defer { try? FileManager.default.removeItem(at: dir) }
            let base: UInt64 = 1_764_000_000_000_000_000
            var lines = [RecordingFormat.line(for: RecordingHeader(source: "test", startedAt: Timestamp(nanoseconds: base)))]
            for index in 0..<3 {
                let at = base + UInt64(index) * 500_000_000
                lines.append(RecordingFormat.line(for: RecordedCall(
                    name: "nobody", correlationId: "c\(index)", request: "1",
                    timeline: [.init(step: .requested(data: "1"), at: Timestamp(nanoseconds: at)),
                               .init(step: .failed(reason: .noRPCProvider), at: Timestamp(nanoseconds: at + 1_000_000))])))
            }
            try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
            let (serve, url) = try await Self.serve()
            defer { serve.send(SIGTERM) }
            let started = ContinuousClock.now
            let run = try await ChildProcess.run(["replay", path, "--url", url, "--speed", "2"])
            let elapsed = ContinuousClock.now - started
            #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
            #expect(run.stdout.contains("nobody      3     3"), "\(run.stdout)")
            // The last call is due 0.5 s after the first; the process start adds to that, never subtracts.
            #expect(elapsed >= .milliseconds(500))
        }

        @Test("A bad line: exit 65 naming it; --skip-bad-lines replays the rest; an unreachable server is 69")
        func badInput() async throws {
            let (dir, path) = try RecordCommandTests.temporaryPath("bad.jsonl")
            defer { try? FileManager.default.removeItem(at: dir) }
            let header = RecordingFormat.line(for: RecordingHeader(source: "test", startedAt: Timestamp(nanoseconds: 1)))
            let good = RecordingFormat.line(for: RecordedCall(
                name: "nobody", correlationId: "c1",
                timeline: [.init(step: .requested(data: nil), at: Timestamp(nanoseconds: 2)),
                           .init(step: .failed(reason: .noRPCProvider), at: Timestamp(nanoseconds: 3))]))
            try [header, good, #"{"name":"x","#, good].joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
            let (serve, url) = try await Self.serve()
            defer { serve.send(SIGTERM) }
            let refused = try await ChildProcess.run(["replay", path, "--url", url])
            #expect(refused.status == 65)
            #expect(refused.stderr.hasPrefix("dsconsole: \(path): line 3: not JSON"), "\(refused.stderr)")
            #expect(refused.stderr.split(separator: "\n").count == 1)
            #expect(refused.stdout.isEmpty)
            let skipped = try await ChildProcess.run(["replay", path, "--url", url, "--skip-bad-lines", "--speed", "max"])
            #expect(skipped.status == 0, "\(skipped.stderr)")
            #expect(skipped.stderr.contains("skipping 1 bad line (first: line 3: not JSON"), "\(skipped.stderr)")
            #expect(skipped.stdout.contains("total       2     2"), "\(skipped.stdout)")

            let foreign = try temporaryFile(#"{"event":"call"}"#, suffix: ".jsonl")
            let notRecording = try await ChildProcess.run(["replay", foreign, "--url", url])
            #expect(notRecording.status == 65)
            #expect(notRecording.stderr.contains("line 1: not a dsconsole recording header"), "\(notRecording.stderr)")

            let missing = try await ChildProcess.run(["replay", dir.appendingPathComponent("none.jsonl").path, "--url", url])
            #expect(missing.status == 66)

            let refusing = RefusingPort()
            let down = try await ChildProcess.run(["replay", path, "--skip-bad-lines", "--url", "ws://127.0.0.1:\(refusing.port)", "--connect-timeout", "2"])
            #expect(down.status == 69)
            #expect(down.stderr.contains("connection refused"), "\(down.stderr)")
            let badSpeed = try await ChildProcess.run(["replay", path, "--speed", "0"])
            #expect(badSpeed.status == 64)
            let badIgnore = try await ChildProcess.run(["replay", path, "--ignore", "at"])
            #expect(badIgnore.status == 64)
            #expect(badIgnore.stderr.contains("bad path \"at\": must start with $"), "\(badIgnore.stderr)")
        }
    }
}
