import DeepstreamClient
import DeepstreamProtocol
import Foundation
import Testing

/// Issue 13 in tmux: `r` / `e` on another client's call, and Space switching another client's provider
/// off and on again, with real client engines on the console's embedded broker.
extension ConsoleSteeringEndToEndTests {
    @Test("r sends another client's call again from the console; e loads it into the composer to edit")
    func resendAndEditAnotherClientsCall() async throws {
        try await RunningConsole.run { console in
            try await console.waitForProvider("add-two-numbers", state: "on")
            let url = try await console.brokerURL()
            let alice = try ClientEngine(url: url)
            _ = try await alice.login(["username": "alice"])
            let answer = try await alice.make("add-two-numbers", data: ["numA": 20, "numB": 22], timeout: .seconds(5))
            #expect(answer?.jsonText == "42")
            // The Calls pane has focus and follows the newest call: alice's.
            try await console.session.waitUntil(timeout: .seconds(10)) { screen in
                screen.split(separator: "\n").contains { $0.contains("add-two-numbers") && $0.contains("alice") }
            }
            #expect(!(try await console.session.capturePane()).contains("add-two-numbers: 42"), "no composer result yet")
            try await console.session.sendKeys("r")
            // The same data sent from the console's own connection: its result is the composer's.
            try await console.session.waitUntil(timeout: .seconds(10)) { $0.contains("add-two-numbers: 42") }
            try await console.session.waitUntil(timeout: .seconds(10)) { screen in
                console.callRows(screen).filter { $0.contains("add-two-numbers") }.count == 2
                    && console.callRows(screen).contains { $0.contains("console →") }
            }
            // e: name and data in the composer, typing in the body; edit and send.
            try await console.session.sendKeys("e")
            let screen = try await console.session.waitUntil { $0.contains("Composer · typing") && $0.contains("\"numA\": 20") }
            #expect(console.composerName(screen) == "add-two-numbers")
            try await console.session.sendKeys("C-x")
            try await console.session.type(#"{"numA": 1, "numB": 2}"#)
            try await console.session.waitUntil { $0.contains("✓ valid JSON") }
            try await console.session.sendKeys("C-s")
            try await console.session.waitUntil(timeout: .seconds(10)) { $0.contains("add-two-numbers: 3") }
            await alice.close()
        }
    }

    @Test("Space on another client's provider switches it off: calls end NO_RPC_PROVIDER, the timeline says why; Space again switches it on")
    func switchRemoteProviderOff() async throws {
        try await RunningConsole.run { console in
            try await console.waitForProvider("add-two-numbers", state: "on")
            let url = try await console.brokerURL()
            let bob = try ClientEngine(url: url)
            let carol = try ClientEngine(url: url)
            _ = try await bob.login(["username": "bob"])
            _ = try await carol.login(["username": "carol"])
            try await bob.provide("remote-fn") { _, response, _ in response.send("from-bob") }
            try await console.session.waitUntil(timeout: .seconds(10)) { screen in
                screen.split(separator: "\n").contains { $0.contains("remote-fn") && $0.contains("bob") }
            }
            #expect(try await carol.make("remote-fn", timeout: .seconds(5))?.jsonText == "\"from-bob\"")
            // Calls → Providers; the remote rows come after the console's own: G selects bob's.
            try await console.session.sendKeys("Tab")
            try await console.session.sendKeys("G")
            try await console.session.sendKeys("Space")
            try await console.session.waitUntil { screen in
                screen.split(separator: "\n").contains { line in
                    let words = line.split(whereSeparator: { $0 == " " || $0 == "│" })
                    return words.first == "off" && words.dropFirst().first == "remote-fn"
                }
            }
            do throws(RPCError) {
                _ = try await carol.make("remote-fn", timeout: .seconds(5))
                Issue.record("a switched-off provider answered")
            } catch {
                #expect(error == .noRPCProvider)
            }
            // The call's row and timeline: Calls pane (Tab from Providers goes to the composer first).
            try await console.session.sendKeys("l")
            try await console.session.sendKeys("l")
            try await console.session.waitUntil { $0.contains("Calls: Enter detail") }
            try await console.session.sendKeys("G")
            try await console.session.sendKeys("Enter")
            try await console.session.waitUntil(timeout: .seconds(10)) {
                $0.contains("rejected on the provider's behalf: switched off in the console")
            }
            try await console.session.sendKeys("Escape")
            // Back to Providers: Space switches it on again, and bob answers.
            try await console.session.sendKeys("h")
            try await console.session.sendKeys("h")
            try await console.session.waitUntil { $0.contains("Providers: Space on/off") }
            try await console.session.sendKeys("Space")
            try await console.session.waitUntil { $0.contains("Switched remote-fn of") && $0.contains("on again") }
            #expect(try await carol.make("remote-fn", timeout: .seconds(5))?.jsonText == "\"from-bob\"")
            await bob.close()
            await carol.close()
        }
    }
}

extension RunningConsole {
    /// The embedded broker's URL, as the status line shows it (`ws://127.0.0.1:PORT/deepstream`).
    func brokerURL() async throws -> String {
        let screen = try await session.waitUntil(timeout: .seconds(10)) {
            $0.range(of: #"ws://127\.0\.0\.1:\d+/deepstream"#, options: .regularExpression) != nil
        }
        let range = try #require(screen.range(of: #"ws://127\.0\.0\.1:\d+/deepstream"#, options: .regularExpression))
        return String(screen[range])
    }
}
