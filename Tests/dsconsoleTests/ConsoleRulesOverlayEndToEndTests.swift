import Foundation
import Testing

/// The Rules overlay in tmux (issue 13): hit counts, Space disables a rule, a typed rule (refused
/// first, then fixed) takes effect on the embedded broker at once, d deletes it.
extension ConsoleSteeringEndToEndTests {
    @Test("R lists the rules with hit counts; Space, a (with a one-line error) and d change the broker's steering live")
    func rulesOverlay() async throws {
        let rules = NSTemporaryDirectory() + "rules-\(UUID().uuidString.prefix(8)).json"
        try #"{"rules": [{"match": "add-*", "action": "fail", "error": "card declined"}]}"#
            .write(toFile: rules, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: rules) }
        try await RunningConsole.run(arguments: ["--port", "0", "--rules", rules]) { console in
            try await console.waitForProvider("add-two-numbers", state: "on")
            try await console.send("add-two-numbers", body: #"{"numA": 4, "numB": 7}"#)
            try await console.session.waitUntil(timeout: .seconds(10)) { $0.contains("add-two-numbers: REQUEST_ERROR \"card declined\"") }
            try await console.session.sendKeys("Escape")
            try await console.session.sendKeys("R")
            try await console.session.waitUntil { screen in
                screen.contains("Rules · 1") && screen.split(separator: "\n").contains {
                    $0.contains("1  on") && $0.contains("1 call") && $0.contains(#"{"match":"add-*","action":"fail","error":"card declined"}"#)
                }
            }
            // Space: rule 1 off; the next call is answered by the provider.
            try await console.session.sendKeys("Space")
            try await console.session.waitUntil { $0.contains("1  off") }
            try await console.session.sendKeys("Escape")
            try await console.session.sendKeys("F5")
            try await console.session.waitUntil(timeout: .seconds(10)) { $0.contains("add-two-numbers: 11") }
            // a: a wrong rule is refused with its reason and kept; fixed, it fails the next call.
            try await console.session.sendKeys("R")
            try await console.session.sendKeys("a")
            try await console.session.type(#"{"match": "add-*", "action": "explode"}"#)
            try await console.session.sendKeys("Enter")
            try await console.session.waitUntil { $0.contains("action: expected delay, fail, reject, drop-response or hold, got \"explode\"") }
            try await console.session.sendKeys("C-u")
            try await console.session.type(#"{"match": "add-*", "action": "fail", "error": "live rule"}"#)
            try await console.session.sendKeys("Enter")
            try await console.session.waitUntil { $0.contains("Rules · 2") && $0.contains(#"{"match":"add-*","action":"fail","error":"live rule"}"#) }
            try await console.session.sendKeys("Escape")
            try await console.session.sendKeys("F5")
            try await console.session.waitUntil(timeout: .seconds(10)) { $0.contains("add-two-numbers: REQUEST_ERROR \"live rule\"") }
            // d deletes the selected (new) rule: calls go through again.
            try await console.session.sendKeys("R")
            try await console.session.waitUntil { $0.contains("Rules · 2") && $0.contains("2  on") && $0.contains("1 call") }
            try await console.session.sendKeys("d")
            try await console.session.waitUntil { $0.contains("Rules · 1") }
            try await console.session.sendKeys("Escape")
            try await console.session.sendKeys("F5")
            try await console.session.waitUntil(timeout: .seconds(10)) { $0.contains("add-two-numbers: 11") }
        }
    }
}
