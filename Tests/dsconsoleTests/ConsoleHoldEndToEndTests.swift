import Foundation
import Testing

/// Intercept in tmux (issue 13): a `hold` rule keeps the composer's call in the console; the badge
/// counts it, H opens it, E edits its JSON and releases it; the next one is answered by hand with O.
extension ConsoleSteeringEndToEndTests {
    @Test("hold: the badge counts the held call; E edits and releases it, O answers the next one by hand; others are not blocked")
    func holdEditRelease() async throws {
        let rules = NSTemporaryDirectory() + "rules-\(UUID().uuidString.prefix(8)).json"
        try #"{"rules": [{"match": "add-*", "action": "hold"}]}"#.write(toFile: rules, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: rules) }
        try await RunningConsole.run(arguments: ["--port", "0", "--rules", rules]) { console in
            try await console.waitForProvider("add-two-numbers", state: "on")
            try await console.send("add-two-numbers", body: #"{"numA": 4, "numB": 7}"#)
            try await console.session.waitUntil(timeout: .seconds(10)) { $0.contains("⏸ 1 held (H)") }
            #expect(!(try await console.session.capturePane()).contains("add-two-numbers: 11"), "held: no answer yet")
            // Holding never blocks other calls: echo is answered meanwhile.
            try await console.session.sendKeys("C-x")  // empty the body
            try await console.session.sendKeys("BTab")
            try await console.session.sendKeys("C-x")  // empty the name
            try await console.session.type("echo")
            try await console.session.sendKeys("Enter")
            try await console.session.type(#""still flowing""#)
            try await console.session.sendKeys("C-s")
            try await console.session.waitUntil(timeout: .seconds(10)) { $0.contains(#"echo: "still flowing""#) }
            // H opens the held call; E edits its data; Enter releases it to the provider.
            try await console.session.sendKeys("Escape")
            try await console.session.sendKeys("H")
            try await console.session.waitUntil { $0.contains("HELD in the console") && $0.contains("held in the console by rule 1") }
            try await console.session.sendKeys("E")
            try await console.session.waitUntil { $0.contains("Held call · request data") && $0.contains(#"{"numA":4,"numB":7}"#) }
            try await console.session.sendKeys("C-u")
            try await console.session.type(#"{"numA": 40, "numB": 2}"#)
            try await console.session.sendKeys("Enter")
            // The provider answered the edited data: 40 + 2 (the composer shows the later echo's result).
            try await console.session.waitUntil(timeout: .seconds(10)) {
                $0.contains("released by hand with edited data") && $0.contains("responded (2B)") && !$0.contains("held (H)")
            }
            try await console.session.sendKeys("3")
            try await console.session.waitUntil { screen in
                screen.split(separator: "\n").contains { $0.replacingOccurrences(of: "│", with: "").trimmingCharacters(in: .whitespaces) == "42" }
            }
            try await console.session.sendKeys("Escape")
            // The next call to it is held too; O answers it by hand.
            try await console.session.sendKeys("c")
            try await console.session.sendKeys("C-x")
            try await console.session.type("add-two-numbers")
            try await console.session.sendKeys("Enter")
            try await console.session.sendKeys("C-x")
            try await console.session.sendKeys("C-s")
            try await console.session.waitUntil(timeout: .seconds(10)) { $0.contains("⏸ 1 held (H)") }
            try await console.session.sendKeys("Escape")
            try await console.session.sendKeys("H")
            try await console.session.sendKeys("O")
            try await console.session.waitUntil { $0.contains("Held call · RESPONSE data") }
            try await console.session.type("1234")
            try await console.session.sendKeys("Enter")
            try await console.session.waitUntil(timeout: .seconds(10)) { $0.contains("answered by hand (RESPONSE 1234)") }
            try await console.session.sendKeys("Escape")
            try await console.session.waitUntil(timeout: .seconds(10)) { $0.contains("add-two-numbers: 1234") }
        }
    }
}
