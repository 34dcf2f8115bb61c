import CallRecording
import DeepstreamBroker
import DeepstreamClient
import DeepstreamProtocol
import Foundation
import Testing

extension BinaryTests {
    @Suite("record (binary)")
    struct RecordCommandTests {
        static func temporaryPath(_ name: String) throws -> (dir: URL, path: String) {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("record-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            return (dir, dir.appendingPathComponent(name).path)
        }

        @Test("--serve: one line per ended call with wire text, users and timeline; progress on stderr; file readable")
        func serve() async throws {
            let (dir, path) = try Self.temporaryPath("calls.jsonl")
            defer { try? FileManager.default.removeItem(at: dir) }
            let record = try ChildProcess(["record", path, "--serve", "--port", "0", "--interval", "0.2"])
            #expect(await record.waitFor("\"event\":\"listening\"", inStderr: false), "record did not start: \(record.stderr)")
            let first = try #require(try jsonLines(record.stdout).first)
            let url = try #require(first["url"]?.stringValue)
            #expect(first["file"] == .string(path))

            let provider = try ClientEngine(url: url)
            _ = try await provider.login(["username": "prov", "password": "prov-secret-pw"])
            let events = provider.events()
            try await provider.provide("echo") { data, response, _ in response.send(data) }
            try await provider.provide("fail") { _, response, _ in response.error(["why": "no"]) }
            var acknowledged = 0
            for await event in events {
                if case .providerAcknowledged(_, true, _) = event { acknowledged += 1 }
                if acknowledged == 2 { break }
            }
            let requestor = try ClientEngine(url: url)
            _ = try await requestor.login(["username": "req", "password": "req-secret-pw"])
            #expect(try await requestor.make("echo", data: ["x": 1.50, "s": "é"]) == ["x": 1.50, "s": "é"])
            await #expect(throws: (any Error).self) { _ = try await requestor.make("fail", data: nil) }
            await #expect(throws: (any Error).self) { _ = try await requestor.make("nobody", data: 3) }
            #expect(await record.waitFor("3 calls recorded"), "no progress line: \(record.stderr)")
            await requestor.close()
            await provider.close()
            record.send(SIGINT)
            #expect(await record.wait(timeout: .seconds(10)) == 0)
            #expect(record.stderr.contains("3 calls recorded to \(path)"))

            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(!text.contains("secret-pw"))
            let read = RecordingReader.read(text)
            #expect(read.badLineCount == 0, "\(String(describing: read.firstBadLine))")
            let header = try #require(read.header)
            #expect(header.source == url && header.version == 1 && header.startedAt.nanoseconds > 1_700_000_000_000_000_000)
            #expect(read.calls.map(\.name) == ["echo", "fail", "nobody"])
            #expect(read.calls.map(\.outcome) == ["RESPONSE", "REQUEST_ERROR", "NO_RPC_PROVIDER"])
            let echo = read.calls[0]
            #expect(echo.requestor == "req" && echo.provider == "prov")
            #expect(try JSONValue(parsing: try #require(echo.request)) == ["x": 1.50, "s": "é"])
            #expect(echo.response.map { try? JSONValue(parsing: $0) } == ["x": 1.50, "s": "é"])
            #expect(!echo.correlationId.isEmpty)
            let steps = echo.timeline.map { step -> String in
                switch step.step {
                case .requested: "requested"
                case .routed: "routed"
                case .accepted: "accepted"
                case .responded: "responded"
                default: "other"
                }
            }
            #expect(steps == ["requested", "routed", "accepted", "responded"])
            #expect(echo.timeline[1].peerName == "prov")
            #expect(zip(echo.timeline, echo.timeline.dropFirst()).allSatisfy { $0.at <= $1.at })
            #expect(read.calls[1].response.map { try? JSONValue(parsing: $0) } == ["why": "no"])
        }

        @Test("--proxy: calls passing through are recorded with the upstream as source; no credential in the file")
        func proxy() async throws {
            let (dir, path) = try Self.temporaryPath("proxied.jsonl")
            defer { try? FileManager.default.removeItem(at: dir) }
            let broker = try await TestBroker.start {
                $0.authentication = .users(UsersFile(users: [
                    "ann": .init(password: try! PasswordHash(hashing: "ann-secret-pw", iterations: 1000)),
                    "bob": .init(password: try! PasswordHash(hashing: "bob-secret-pw", iterations: 1000)),
                ]))
            }
            let record = try ChildProcess(["record", path, "--proxy", broker.url, "--listen", "127.0.0.1:0"])
            #expect(await record.waitFor("\"event\":\"listening\"", inStderr: false), "record did not start: \(record.stderr)")
            let url = try #require(try jsonLines(record.stdout).first?["url"]?.stringValue)
            let result = try await echoCallBetweenTwoClients(
                at: url, name: "p", data: ["x": 1], providerAuth: ["username": "ann", "password": "ann-secret-pw"],
                requestorAuth: ["username": "bob", "password": "bob-secret-pw"]
            ) { #expect(await record.waitFor("1 calls recorded"), "no progress line: \(record.stderr)") }
            #expect(result == ["x": 1])
            record.send(SIGINT)
            #expect(await record.wait(timeout: .seconds(10)) == 0)
            await broker.stop()
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(!text.contains("secret-pw"))
            let read = RecordingReader.read(text)
            #expect(read.header?.source == "ws://127.0.0.1:\(broker.port)")
            #expect(read.calls.count == 1)
            #expect(read.calls.first?.requestor == "bob" && read.calls.first?.provider == "ann")
            #expect(read.calls.first?.request == #"{"x":1}"#)
        }

        @Test("Several --proxy upstreams: a call behind the second listener is recorded with its node; source names both")
        func severalUpstreams() async throws {
            let (dir, path) = try Self.temporaryPath("two-nodes.jsonl")
            defer { try? FileManager.default.removeItem(at: dir) }
            let first = try await TestBroker.start()
            let second = try await TestBroker.start()
            let record = try ChildProcess([
                "record", path, "--proxy", first.url, "--proxy", second.url, "--listen", "127.0.0.1:0", "--listen", "127.0.0.1:0",
            ])
            #expect(await record.waitFor("\"event\":\"listening\"", inStderr: false), "record did not start: \(record.stderr)")
            let line = try #require(try jsonLines(record.stdout).first)
            guard case .array(let listeners)? = line["listeners"], let url = listeners.last?["url"]?.stringValue else {
                Issue.record("no second listener in \(line)")
                return
            }
            let result = try await echoCallBetweenTwoClients(
                at: url, name: "p", data: ["x": 1], providerAuth: ["username": "ann"], requestorAuth: ["username": "bob"]
            ) { #expect(await record.waitFor("1 calls recorded"), "no progress line: \(record.stderr)") }
            #expect(result == ["x": 1])
            record.send(SIGINT)
            #expect(await record.wait(timeout: .seconds(10)) == 0)
            await first.stop()
            await second.stop()
            let read = RecordingReader.read(try String(contentsOfFile: path, encoding: .utf8))
            #expect(read.header?.source == "ws://127.0.0.1:\(first.port), ws://127.0.0.1:\(second.port)")
            #expect(read.calls.count == 1)
            #expect(read.calls.first?.requestor == "bob@127.0.0.1:\(second.port)")
            #expect(read.calls.first?.provider == "ann@127.0.0.1:\(second.port)")
        }

        @Test("An existing FILE is never overwritten: one-line error, exit 73, file untouched")
        func existingFile() async throws {
            let (dir, path) = try Self.temporaryPath("taken.jsonl")
            defer { try? FileManager.default.removeItem(at: dir) }
            try "keep me\n".write(toFile: path, atomically: true, encoding: .utf8)
            let record = try ChildProcess(["record", path, "--serve", "--port", "0"])
            #expect(await record.wait(timeout: .seconds(10)) == 73)
            #expect(record.stderr.hasPrefix("dsconsole: cannot create \(path): File exists"), "\(record.stderr)")
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "keep me\n")
        }

        @Test("--url to a server that is down: one-line error, exit 69 like call")
        func unreachable() async throws {
            let (dir, path) = try Self.temporaryPath("none.jsonl")
            defer { try? FileManager.default.removeItem(at: dir) }
            let refusing = RefusingPort()
            let record = try ChildProcess(["record", path, "--url", "ws://127.0.0.1:\(refusing.port)", "--connect-timeout", "2"])
            #expect(await record.wait(timeout: .seconds(15)) == 69)
            #expect(record.stderr.split(separator: "\n").count == 1, "\(record.stderr)")
            #expect(record.stderr.contains("connection refused"), "\(record.stderr)")
            #expect(!FileManager.default.fileExists(atPath: path))
        }
    }
}
