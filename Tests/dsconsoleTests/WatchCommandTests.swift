import DeepstreamBroker
import DeepstreamClient
import DeepstreamProtocol
import Foundation
import Testing

extension BinaryTests {
    @Suite("watch (binary)")
    struct WatchCommandTests {
        /// Starts `dsconsole watch --serve --port 0 …` and returns it with the URL from its first line.
        static func serve(_ extra: [String] = []) async throws -> (ChildProcess, String) {
            let watch = try ChildProcess(["watch", "--serve", "--port", "0"] + extra)
            let listening = await watch.waitFor("\"event\":\"listening\"", inStderr: false)
            try #require(listening, "watch did not start: \(watch.stderr)")
            let first = try #require(try jsonLines(watch.stdout).first)
            let url = try #require(first["url"]?.stringValue)
            return (watch, url)
        }

        /// Provides and calls `name` once through in-process engines.
        static func oneCall(_ url: String, name: String) async throws {
            let provider = try ClientEngine(url: url)
            try await provider.login()
            let events = provider.events()
            try await provider.provide(name) { data, response, _ in response.send(data) }
            for await event in events {
                if case .providerAcknowledged(name, true, _) = event { break }
            }
            let requestor = try ClientEngine(url: url)
            try await requestor.login()
            #expect(try await requestor.make(name, data: ["x": 1]) == ["x": 1])
            await requestor.close()
            await provider.close()
        }

        @Test("--serve prints every call's lifecycle as JSON Lines, and frames with --frames")
        func serveWithFrames() async throws {
            let (watch, url) = try await Self.serve(["--frames"])
            try await Self.oneCall(url, name: "w")
            #expect(await watch.waitFor("\"step\":\"responded\"", inStderr: false))
            watch.send(SIGINT)
            #expect(await watch.wait(timeout: .seconds(10)) == 0)
            let lines = try jsonLines(watch.stdout)
            #expect(lines.allSatisfy { $0["event"]?.stringValue != nil && ($0["ts"]?.doubleValue ?? 0) > 1e9 })
            let events = lines.compactMap { $0["event"]?.stringValue }
            for expected in ["listening", "connected", "loggedIn", "providerAdded", "call", "frame", "disconnected"] {
                #expect(events.contains(expected), "missing \(expected)")
            }
            let steps = lines.filter { $0["event"] == "call" && $0["name"] == "w" }.compactMap { $0["step"]?.stringValue }
            #expect(steps == ["requested", "routed", "accepted", "responded"])
            let responded = try #require(lines.first { $0["step"] == "responded" })
            #expect(responded["data"] == ["x": 1])
            #expect(responded["final"] == true)
            let frame = try #require(lines.first { $0["event"] == "frame" })
            #expect(frame["direction"] != nil && frame["bytes"]?.intValue != nil && frame["message"]?["topic"] != nil)
        }

        @Test("--serve --config with deepstream's config.yml: a denied call prints step denied with its rule")
        func deniedByDeepstreamPermissions() async throws {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("watch-ds-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            let config = dir.appendingPathComponent("config.yml").path
            try "serverName: test\npermission:\n  type: config\n  options:\n    permissions: fileLoad(permissions.yml)\n"
                .write(toFile: config, atomically: true, encoding: .utf8)
            try "rpc:\n  '*':\n    provide: true\n    request: true\n  'secret-*':\n    request: \"user.id === 'boss'\"\n"
                .write(toFile: dir.appendingPathComponent("permissions.yml").path, atomically: true, encoding: .utf8)
            let (watch, url) = try await Self.serve(["--config", config])
            let requestor = try ClientEngine(url: url)
            try await requestor.login()
            await #expect(throws: (any Error).self) { _ = try await requestor.make("secret-plans", data: nil) }
            await requestor.close()
            #expect(await watch.waitFor("\"step\":\"denied\"", inStderr: false))
            watch.send(SIGINT)
            #expect(await watch.wait(timeout: .seconds(10)) == 0)
            let denied = try #require(try jsonLines(watch.stdout).first { $0["step"] == "denied" })
            #expect(denied["rule"] == "rpc.secret-*.request" && denied["reason"] == "MESSAGE_DENIED" && denied["final"] == true)
            #expect(watch.stderr.contains("ignored (the embedded broker has no such feature): serverName"))
        }

        @Test("without --frames no frame lines; without --serve its own connection's events")
        func noFramesAndOwnTraffic() async throws {
            let (watch, url) = try await Self.serve()
            let own = try ChildProcess(["watch", "--url", url])
            #expect(await own.waitFor(#""to":"OPEN""#, inStderr: false))
            try await Self.oneCall(url, name: "v")
            #expect(await watch.waitFor("\"step\":\"responded\"", inStderr: false))
            own.send(SIGINT)
            #expect(await own.wait(timeout: .seconds(10)) == 0)
            watch.send(SIGINT)
            #expect(await watch.wait(timeout: .seconds(10)) == 0)
            #expect(try jsonLines(watch.stdout).allSatisfy { $0["event"] != "frame" })
            let ownEvents = try jsonLines(own.stdout).compactMap { $0["event"]?.stringValue }
            #expect(ownEvents.contains("state"))
            #expect(ownEvents.contains("loggedIn"))
            #expect(!ownEvents.contains("call"))
        }

        @Test("--serve on a port in use fails with 69, a bad --config with 65")
        func portInUse() async throws {
            let broker = try await TestBroker.start()
            defer { Task { await broker.stop() } }
            let result = try await ChildProcess.run(["watch", "--serve", "--port", "\(broker.port)"])
            #expect(result.status == 69)
            #expect(result.stderr.contains("cannot listen on 127.0.0.1:\(broker.port)"))

            let badConfig = try temporaryFile(#"{"rpc": {"ackTimeout": "soon"}, "colour": 1}"#)
            let bad = try await ChildProcess.run(["watch", "--serve", "--port", "0", "--config", badConfig])
            #expect(bad.status == 65)
            #expect(bad.stderr.hasPrefix("dsconsole: ") && bad.stderr.contains(badConfig), "\(bad.stderr)")
            #expect(bad.stderr.split(separator: "\n").count == 1)
        }
    }
}
