import DeepstreamClient
import DeepstreamProtocol
import Foundation
import Testing

/// `dsconsole proxy UPSTREAM --rules FILE` in tmux (issue 13): the console's own call goes through
/// its proxy, where the rule fails it; the row and the timeline say so.
extension ProxyConsoleEndToEndTests {
    @Test("proxy --rules: a fail rule answers the call in the forwarding path; the row carries ⚑ and the timeline the rule")
    func proxyRules() async throws {
        let broker = try await TestBroker.start()
        try await RunningConsole.run(
            width: 140, arguments: ["proxy", broker.url, "--listen", "127.0.0.1:0", "--rules", "rules.json"],
            files: ["rules.json": #"{"rules": [{"match": "add-*", "action": "fail", "error": "declined by the proxy"}]}"#]
        ) { console in
            let session = console.session
            try await session.waitUntil(timeout: .seconds(15)) { $0.contains("→ ws://127.0.0.1:\(broker.port)") }
            // The console's own mocks start off in proxy mode: Space provides add-two-numbers (through the
            // proxy), though the rule answers before the server would route to it.
            try await console.waitForProvider("add-two-numbers", state: "off")
            try await session.sendKeys("Tab")
            try await session.sendKeys("Space")
            try await console.waitForProvider("add-two-numbers", state: "on")
            try await console.send("add-two-numbers", body: #"{"numA": 1, "numB": 2}"#)
            try await session.waitUntil(timeout: .seconds(10)) { $0.contains(#"add-two-numbers: REQUEST_ERROR "declined by the proxy""#) }
            try await session.waitUntil(timeout: .seconds(10)) { screen in
                screen.split(separator: "\n").contains { $0.contains("add-two-numbers") && $0.contains("⚑") }
            }
            try await session.sendKeys("Escape")
            try await session.sendKeys("l")
            try await session.sendKeys("Enter")
            try await session.waitUntil(timeout: .seconds(10)) { $0.contains("failed by rule 1") }
        }
        await broker.stop()
    }
}

extension ProxyConsoleEndToEndTests {
    @Test("proxy: Space on another client's provider switches it off (NO_RPC_PROVIDER) and on again")
    func proxySwitchOff() async throws {
        let broker = try await TestBroker.start()
        try await RunningConsole.run(width: 140, arguments: ["proxy", broker.url, "--listen", "127.0.0.1:0"]) { console in
            let session = console.session
            let screen = try await session.waitUntil(timeout: .seconds(15)) { $0.contains("→ ws://127.0.0.1:\(broker.port)") }
            let match = try #require(screen.firstMatch(of: /ws:\/\/127\.0\.0\.1:(\d+)\/deepstream/))
            let url = "ws://127.0.0.1:\(match.output.1)/deepstream"
            let bob = try ClientEngine(url: url)
            let carol = try ClientEngine(url: url)
            _ = try await bob.login(["username": "bob"])
            _ = try await carol.login(["username": "carol"])
            try await bob.provide("remote-fn") { _, response, _ in response.send("from-bob") }
            try await session.waitUntil(timeout: .seconds(10)) { screen in
                screen.split(separator: "\n").contains { $0.contains("remote-fn") && $0.contains("bob") }
            }
            #expect(try await carol.make("remote-fn", timeout: .seconds(5))?.jsonText == "\"from-bob\"")
            try await session.sendKeys("Tab")
            try await session.sendKeys("G")
            try await session.sendKeys("Space")
            try await session.waitUntil { screen in
                screen.split(separator: "\n").contains { line in
                    let words = line.split(whereSeparator: { $0 == " " || $0 == "│" })
                    return words.first == "off" && words.dropFirst().first == "remote-fn"
                }
            }
            do throws(RPCError) {
                _ = try await carol.make("remote-fn", timeout: .seconds(5))
                Issue.record("a switched-off provider answered through the proxy")
            } catch {
                #expect(error == .noRPCProvider)
            }
            try await session.sendKeys("Space")
            try await session.waitUntil { $0.contains("on again") }
            #expect(try await carol.make("remote-fn", timeout: .seconds(5))?.jsonText == "\"from-bob\"")
            await bob.close()
            await carol.close()
        }
        await broker.stop()
    }
}

extension ProxyConsoleEndToEndTests {
    @Test("proxy: a rule typed in the Rules overlay fails the next call in the forwarding path")
    func proxyRulesOverlay() async throws {
        let broker = try await TestBroker.start()
        try await RunningConsole.run(width: 140, arguments: ["proxy", broker.url, "--listen", "127.0.0.1:0"]) { console in
            let session = console.session
            try await session.waitUntil(timeout: .seconds(15)) { $0.contains("→ ws://127.0.0.1:\(broker.port)") }
            try await console.waitForProvider("add-two-numbers", state: "off")
            try await session.sendKeys("Tab")
            try await session.sendKeys("Space")
            try await console.waitForProvider("add-two-numbers", state: "on")
            try await console.send("add-two-numbers", body: #"{"numA": 1, "numB": 2}"#)
            try await session.waitUntil(timeout: .seconds(10)) { $0.contains("add-two-numbers: 3") }
            try await session.sendKeys("Escape")
            try await session.sendKeys("R")
            try await session.waitUntil { $0.contains("Rules · 0") }
            try await session.sendKeys("a")
            try await session.type(#"{"match": "add-*", "action": "fail", "error": "typed live"}"#)
            try await session.sendKeys("Enter")
            try await session.waitUntil { $0.contains("Rules · 1") }
            try await session.sendKeys("Escape")
            try await session.sendKeys("F5")
            try await session.waitUntil(timeout: .seconds(10)) { $0.contains(#"add-two-numbers: REQUEST_ERROR "typed live""#) }
            try await session.sendKeys("R")
            try await session.waitUntil { $0.contains("1 call") }
        }
        await broker.stop()
    }
}
