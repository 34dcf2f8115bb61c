import CallRecording
import DeepstreamProtocol
import Foundation
import Testing

extension BinaryTests {
    @Suite("provide --from-recording (binary)")
    struct ProvideFromRecordingTests {
        @Test("Answers with the recorded answer for the same name and equal data; notRecorded otherwise; replay then matches")
        func servesTheRecording() async throws {
            let (dir, _) = try RecordCommandTests.temporaryPath("x")
            defer { try? FileManager.default.removeItem(at: dir) }
            let path = try await ReplayCommandTests.makeRecording(in: dir)
            let recorded = RecordingReader.read(try String(contentsOfFile: path, encoding: .utf8)).calls
            let ada = try #require(recorded.first { $0.request?.contains("Ada") == true })

            let (serve, url) = try await ReplayCommandTests.serve()
            defer { serve.send(SIGTERM) }
            let provider = try await BinaryTests.CallCommandTests.provider(["--from-recording", path], url: url)
            #expect(provider.stderr.contains("add (2 recorded calls, match data)"), "\(provider.stderr)")
            #expect(provider.stderr.contains("greet (3 recorded calls, match data)"), "\(provider.stderr)")

            // The recorded answer, byte for byte the value recorded (its correlation id is the old call's).
            let greet = try await ChildProcess.run(["call", "greet", #"{"name": "Ada"}"#, "--url", url])
            #expect(greet.status == 0, "\(greet.stderr)")
            #expect(try JSONValue(parsing: greet.stdout) == JSONValue(parsing: try #require(ada.response)))
            #expect(greet.stdout.contains(ada.correlationId))
            // Equal data in another member order and number spelling.
            let add = try await ChildProcess.run(["call", "add", #"{"b": 2.0, "a": 40}"#, "--url", url])
            #expect(add.stdout == "42\n", "\(add.stderr)")
            let unknown = try await ChildProcess.run(["call", "add", #"{"a": 5, "b": 5}"#, "--url", url])
            #expect(unknown.status == 1)
            #expect(unknown.stderr == #"{"notRecorded":{"name":"add","data":{"a":5,"b":5}}}"# + "\n")
            let fails = try await ChildProcess.run(["call", "fails", "--url", url])
            #expect(fails.status == 1 && fails.stderr == #"{"why":"no"}"# + "\n", "\(fails.stderr)")

            // Replaying the recording against its own playback: everything matches, even the ids.
            let replay = try await ChildProcess.run(["replay", path, "--url", url, "--speed", "max"])
            #expect(replay.status == 0, "\(replay.stdout) \(replay.stderr)")
            #expect(await BinaryTests.CallCommandTests.stop(provider) == 0)
            #expect(provider.stdout.split(separator: "\n").count == 4 + 6, "\(provider.stdout)")

            // --match name: any data gets the recorded answers of the name in turn.
            let byName = try await BinaryTests.CallCommandTests.provider(
                ["--from-recording", path, "greet", "--match", "name", "--speed", "max"], url: url)
            let first = try await ChildProcess.run(["call", "greet", #"{"name": "Zed"}"#, "--url", url])
            #expect(try JSONValue(parsing: first.stdout) == JSONValue(parsing: try #require(recorded.first { $0.name == "greet" }?.response)))
            let notProvided = try await ChildProcess.run(["call", "add", #"{"a": 1, "b": 2}"#, "--url", url])
            #expect(notProvided.status == 2)
            #expect(await BinaryTests.CallCommandTests.stop(byName) == 0)
        }

        @Test("The recorded latency divided by --speed delays the answer; bad options and files are refused")
        func latencyAndErrors() async throws {
            let (dir, path) = try RecordCommandTests.temporaryPath("slow.jsonl")
            defer { try? FileManager.default.removeItem(at: dir) }
            let start: UInt64 = 1_764_000_000_000_000_000
            let lines = [
                RecordingFormat.line(for: RecordingHeader(source: "test", startedAt: Timestamp(nanoseconds: start))),
                RecordingFormat.line(for: RecordedCall(
                    name: "slow", correlationId: "c1", request: "1", response: #""late""#,
                    timeline: [.init(step: .requested(data: "1"), at: Timestamp(nanoseconds: start)),
                               .init(step: .responded(data: #""late""#), at: Timestamp(nanoseconds: start + 600_000_000))])),
                "not a call",
            ]
            try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
            let (serve, url) = try await ReplayCommandTests.serve()
            defer { serve.send(SIGTERM) }
            let provider = try await BinaryTests.CallCommandTests.provider(["--from-recording", path, "--speed", "2"], url: url)
            #expect(provider.stderr.contains("skipped 1 bad line (first: line 3: not JSON"), "\(provider.stderr)")
            let started = ContinuousClock.now
            let call = try await ChildProcess.run(["call", "slow", "1", "--url", url])
            #expect(call.stdout == "\"late\"\n", "\(call.stderr)")
            #expect(ContinuousClock.now - started >= .milliseconds(300))
            #expect(await BinaryTests.CallCommandTests.stop(provider) == 0)

            let conflicting = try await ChildProcess.run(["provide", "--from-recording", path, "--echo"])
            #expect(conflicting.status == 64)
            let badMatch = try await ChildProcess.run(["provide", "--from-recording", path, "--match", "value"])
            #expect(badMatch.status == 64)
            let strayOption = try await ChildProcess.run(["provide", "x", "--match", "name"])
            #expect(strayOption.status == 64)
            let missing = try await ChildProcess.run(["provide", "--from-recording", dir.appendingPathComponent("none").path, "--url", url])
            #expect(missing.status == 66)
            let foreign = try temporaryFile("hello\n", suffix: ".jsonl")
            let notRecording = try await ChildProcess.run(["provide", "--from-recording", foreign, "--url", url])
            #expect(notRecording.status == 65)
            #expect(notRecording.stderr.contains("not a recording: line 1: not JSON"), "\(notRecording.stderr)")
        }
    }
}
