import DeepstreamClient
import DeepstreamProtocol
import Foundation
import Testing

extension BinaryTests {
    @Suite("watch --stats (binary)")
    struct WatchStatsTests {
        @Test("--serve --stats prints per-RPC statistics lines: counts, errors by kind, percentiles, providers")
        func serveStats() async throws {
            let (watch, url) = try await WatchCommandTests.serve(["--stats", "--interval", "0.2"])
            let provider = try ClientEngine(url: url)
            try await provider.login(["username": "alice"])
            let events = provider.events()
            try await provider.provide("half") { data, response, _ in
                if data == ["fail": true] { response.error("nope") } else { response.send(data) }
            }
            for await event in events {
                if case .providerAcknowledged("half", true, _) = event { break }
            }
            let requestor = try ClientEngine(url: url)
            try await requestor.login()
            for index in 0..<6 {
                let data: JSONValue = index % 3 == 0 ? ["fail": true] : ["n": .int(index)]
                _ = try? await requestor.make("half", data: data)
            }
            _ = try? await requestor.make("nobody", data: nil)
            await requestor.close()
            await provider.close()
            #expect(await watch.waitFor("\"name\":\"nobody\"", inStderr: false))
            watch.send(SIGINT)
            #expect(await watch.wait(timeout: .seconds(10)) == 0)
            let lines = try jsonLines(watch.stdout)
            #expect(lines.first?["event"] == "listening")
            #expect(lines.dropFirst().allSatisfy { $0["event"] == "stats" }, "only stats lines after listening")
            let last = try #require(lines.last)
            guard case .array(let rpcs)? = last["rpcs"] else {
                Issue.record("no rpcs array in \(last)")
                return
            }
            let half = try #require(rpcs.first { $0["name"] == "half" })
            #expect(half["calls"] == 6)
            #expect(half["ok"] == 4)
            #expect(half["errors"] == ["REQUEST_ERROR": 2])
            #expect(half["totalMs"]?["p99"]?.doubleValue != nil)
            #expect(half["acceptMs"]?["p50"]?.doubleValue != nil)
            guard case .array(let providers)? = half["providers"] else {
                Issue.record("no providers in \(half)")
                return
            }
            #expect(providers.first?["provider"] == "alice")
            let nobody = try #require(rpcs.first { $0["name"] == "nobody" })
            #expect(nobody["errors"] == ["NO_RPC_PROVIDER": 1])
            #expect(nobody["acceptMs"] == .null)
        }

        @Test("--stats with --frames is a usage error")
        func statsWithFrames() async throws {
            let result = try await ChildProcess.run(["watch", "--serve", "--stats", "--frames"])
            #expect(result.status == 64)
            #expect(result.stderr.contains("--stats and --frames"))
        }
    }
}

extension BinaryTests.WatchStatsTests {
    @Test("--proxy --stats counts the proxied calls per RPC with the providers' user names")
    func proxyStats() async throws {
        let broker = try await TestBroker.start()
        let watch = try ChildProcess([
            "watch", "--proxy", broker.url, "--listen", "127.0.0.1:0", "--stats", "--interval", "0.2", "--topic-interval", "0",
        ])
        #expect(await watch.waitFor("\"event\":\"listening\"", inStderr: false), "watch did not start: \(watch.stderr)")
        let url = try #require(try jsonLines(watch.stdout).first?["url"]?.stringValue)
        let provider = try await startEchoProvider(at: url, authData: ["username": "ann"], name: "p")
        let requestor = try ClientEngine(url: url)
        try await requestor.login(["username": "bob"])
        for index in 0..<3 { _ = try await requestor.make("p", data: ["n": .int(index)]) }
        await requestor.close()
        await provider.close()
        #expect(await watch.waitFor(#""calls":3"#, inStderr: false), "\(watch.stdout)")
        watch.send(SIGINT)
        #expect(await watch.wait(timeout: .seconds(10)) == 0)
        await broker.stop()
        let last = try #require(try jsonLines(watch.stdout).last)
        guard case .array(let rpcs)? = last["rpcs"], let p = rpcs.first(where: { $0["name"] == "p" }) else {
            Issue.record("no row for p in \(last)")
            return
        }
        #expect(p["ok"] == 3)
        guard case .array(let providers)? = p["providers"] else {
            Issue.record("no providers in \(p)")
            return
        }
        #expect(providers.first?["provider"] == "ann")
    }
}
