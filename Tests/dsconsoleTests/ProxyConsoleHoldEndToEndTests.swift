import Foundation
import Testing

/// `dsconsole proxy UPSTREAM --rules FILE` with a `hold` rule, in tmux (issue 13): the console's own
/// call is held in its proxy's forwarding path; the badge counts it, `E` edits and releases it (the
/// provider behind the real server answers the edited data), `X` rejects the next one (NO_RPC_PROVIDER).
extension ProxyConsoleEndToEndTests {
    @Test("proxy --rules hold: badge, E edits and releases through the server, X answers NO_RPC_PROVIDER")
    func proxyHold() async throws {
        let broker = try await TestBroker.start()
        try await RunningConsole.run(
            width: 140, arguments: ["proxy", broker.url, "--listen", "127.0.0.1:0", "--rules", "rules.json"],
            files: ["rules.json": #"{"rules": [{"match": "add-*", "action": "hold"}]}"#]
        ) { console in
            let session = console.session
            try await session.waitUntil(timeout: .seconds(15)) { $0.contains("→ ws://127.0.0.1:\(broker.port)") }
            try await console.waitForProvider("add-two-numbers", state: "off")
            try await session.sendKeys("Tab")
            try await session.sendKeys("Space")
            try await console.waitForProvider("add-two-numbers", state: "on")
            try await console.send("add-two-numbers", body: #"{"numA": 4, "numB": 7}"#)
            try await session.waitUntil(timeout: .seconds(10)) { $0.contains("⏸ 1 held (H)") }
            #expect(!(try await session.capturePane()).contains("add-two-numbers: 11"), "held: no answer yet")
            try await session.sendKeys("Escape")
            try await session.sendKeys("H")
            try await session.waitUntil { $0.contains("HELD in the console") && $0.contains("held in the console by rule 1") }
            try await session.sendKeys("E")
            try await session.waitUntil { $0.contains("Held call · request data") && $0.contains(#"{"numA":4,"numB":7}"#) }
            try await session.sendKeys("C-u")
            try await session.type(#"{"numA": 40, "numB": 2}"#)
            try await session.sendKeys("Enter")
            // The REQUEST went through the server to the console's own provider, with the edited data.
            try await session.waitUntil(timeout: .seconds(10)) {
                $0.contains("released by hand with edited data") && $0.contains("responded") && !$0.contains("held (H)")
            }
            try await session.sendKeys("Escape")
            try await session.waitUntil(timeout: .seconds(10)) { $0.contains("add-two-numbers: 42") }
            // The next one is held too; X rejects it: the proxy answers NO_RPC_PROVIDER.
            try await session.sendKeys("F5")
            try await session.waitUntil(timeout: .seconds(10)) { $0.contains("⏸ 1 held (H)") }
            try await session.sendKeys("H")
            try await session.waitUntil { $0.contains("HELD in the console") }
            try await session.sendKeys("X")
            try await session.waitUntil(timeout: .seconds(10)) { $0.contains("rejected by hand (answered NO_RPC_PROVIDER)") }
            try await session.sendKeys("Escape")
            try await session.waitUntil(timeout: .seconds(10)) { $0.contains("add-two-numbers: NO_RPC_PROVIDER") }
        }
        await broker.stop()
    }
}
