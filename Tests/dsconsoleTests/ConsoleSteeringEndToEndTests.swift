import Foundation
import Testing

/// `dsconsole --rules FILE` in tmux: a call a rule fails shows the injected error, the ⚑ mark in its
/// row and the rule in its detail's timeline.
@Suite("Console with --rules end to end (tmux)", .serialized)
struct ConsoleSteeringEndToEndTests {
    @Test("A fail rule answers the console's own call with the rule's error; row and timeline say so")
    func failRule() async throws {
        let rules = NSTemporaryDirectory() + "rules-\(UUID().uuidString.prefix(8)).json"
        try #"{"rules": [{"match": "add-*", "action": "fail", "error": "card declined"}]}"#
            .write(toFile: rules, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: rules) }
        try await RunningConsole.run(arguments: ["--port", "0", "--rules", rules]) { console in
            try await console.waitForProvider("add-two-numbers", state: "on")
            try await console.send("add-two-numbers", body: #"{"numA": 4, "numB": 7}"#)
            try await console.session.waitUntil(timeout: .seconds(10)) { $0.contains("card declined") }
            try await console.session.waitUntil(timeout: .seconds(10)) { screen in
                screen.split(separator: "\n").contains { $0.contains("add-two-numbers") && $0.contains("⚑") }
            }
            // Stop typing, go to the Calls pane and open the call's detail.
            try await console.session.sendKeys("Escape")
            try await console.session.sendKeys("l")
            try await console.session.sendKeys("Enter")
            try await console.session.waitUntil(timeout: .seconds(10)) { $0.contains("failed by rule 1") }
        }
    }
}
