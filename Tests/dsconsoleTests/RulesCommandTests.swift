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

        @Test("watch --proxy refuses --rules for now (steering through the proxy is not implemented)")
        func proxyRefuses() async throws {
            let refused = try await ChildProcess.run(["watch", "--proxy", "ws://127.0.0.1:1", "--rules", "x.json"])
            #expect(refused.status == 64)
            #expect(refused.stderr.contains("--rules works with --serve only"))
        }
    }
}
