import DeepstreamClient
import DeepstreamProtocol
import Foundation
import Testing

extension BinaryTests {
    @Suite("--rules on the real binary")
    struct RulesCommandTests {
        static func file(_ text: String) throws -> String {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("rules-\(UUID().uuidString).json").path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }

        @Test("watch --serve --rules: the requestor gets the injected REQUEST_ERROR and the line says which rule")
        func watchServeFails() async throws {
            let rules = try Self.file(#"{"rules": [{"match": "other", "action": "reject"}, {"match": "pay*", "action": "fail", "error": {"code": "declined"}}]}"#)
            defer { try? FileManager.default.removeItem(atPath: rules) }
            let (watch, url) = try await WatchCommandTests.serve(["--rules", rules])
            let provider = try ClientEngine(url: url)
            try await provider.login()
            let events = provider.events()
            try await provider.provide("pay") { data, response, _ in response.send(data) }
            for await event in events {
                if case .providerAcknowledged("pay", true, _) = event { break }
            }
            let requestor = try ClientEngine(url: url)
            try await requestor.login()
            await #expect(throws: RPCError.requestError(["code": "declined"])) { try await requestor.make("pay", data: 1) }
            #expect(await watch.waitFor(#""step":"steered""#, inStderr: false))
            let steered = try jsonLines(watch.stdout).first { $0["step"]?.stringValue == "steered" }
            #expect(steered?["rule"]?.intValue == 2)
            #expect(steered?["action"]?.stringValue == "fail")
            #expect(steered?["detail"]?.stringValue == #"{"code":"declined"}"#)
            await requestor.close()
            await provider.close()
            watch.send(SIGINT)
            #expect(await watch.wait(timeout: .seconds(10)) == 0)
        }

        @Test("serve with a bad rules file exits 1 with one line naming the rule")
        func badRules() async throws {
            let rules = try Self.file(#"{"rules": [{"match": "a", "action": "fail"}, {"match": "b", "action": "delay", "ms": "400..200"}]}"#)
            defer { try? FileManager.default.removeItem(atPath: rules) }
            let process = try await ChildProcess.run(["serve", "--port", "0", "--rules", rules])
            #expect(process.status == 1)
            #expect(process.stderr == "dsconsole serve: \(rules): rules[1]: ms: the range \"400..200\" is empty (400 > 200)\n")
        }

        @Test("watch --proxy --rules: a requestor through the proxy gets the injected REQUEST_ERROR; the steered line names the rule")
        func watchProxyFails() async throws {
            let rules = try Self.file(#"{"rules": [{"match": "pay*", "action": "fail", "error": "card declined"}]}"#)
            defer { try? FileManager.default.removeItem(atPath: rules) }
            let broker = try await TestBroker.start()
            let watch = try ChildProcess(["watch", "--proxy", broker.url, "--listen", "127.0.0.1:0", "--rules", rules])
            #expect(await watch.waitFor("\"event\":\"listening\"", inStderr: false), "watch did not start: \(watch.stderr)")
            let url = try #require(try jsonLines(watch.stdout).first?["url"]?.stringValue)
            let provider = try ClientEngine(url: url)
            try await provider.login()
            let events = provider.events()
            try await provider.provide("pay") { data, response, _ in response.send(data) }
            for await event in events {
                if case .providerAcknowledged("pay", true, _) = event { break }
            }
            let requestor = try ClientEngine(url: url)
            try await requestor.login()
            await #expect(throws: RPCError.requestError("card declined")) { try await requestor.make("pay", data: 1) }
            #expect(await watch.waitFor(#""step":"errored""#, inStderr: false))
            let lines = try jsonLines(watch.stdout).filter { $0["event"]?.stringValue == "call" }
            let steered = lines.first { $0["step"]?.stringValue == "steered" }
            #expect(steered?["rule"]?.intValue == 1)
            #expect(steered?["action"]?.stringValue == "fail")
            #expect(lines.map { $0["step"]?.stringValue ?? "" } == ["requested", "steered", "errored"], "\(lines)")
            await requestor.close()
            await provider.close()
            watch.send(SIGINT)
            #expect(await watch.wait(timeout: .seconds(10)) == 0)
            await broker.stop()
        }

        @Test("watch --rules without --serve or --proxy is refused with 64")
        func plainWatchRefuses() async throws {
            let refused = try await ChildProcess.run(["watch", "--rules", "x.json"])
            #expect(refused.status == 64)
            #expect(refused.stderr.contains("--rules needs --serve or --proxy"))
        }
    }
}
