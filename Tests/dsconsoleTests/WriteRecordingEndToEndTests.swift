import CallRecording
import Foundation
import Testing

/// `w` in the real console (tmux): the prompt, the written file and the notice.
@Suite("Write a recording with w (tmux)", .serialized)
struct WriteRecordingEndToEndTests {
    @Test("w writes the call log to the typed file name; the file reads back with the call's wire text")
    func writeRecording() async throws {
        try await RunningConsole.run { console in
            try await console.waitForProvider("add-two-numbers", state: "on")
            try await console.send("add-two-numbers", body: #"{"numA": 4, "numB": 7}"#)
            try await console.session.waitUntil(timeout: .seconds(10)) { $0.contains("add-two-numbers: 11") }
            try await console.session.sendKeys("Escape")
            // Back to the Calls pane (Tab cycles the panes).
            for _ in 0..<3 where !(try await console.session.capturePane()).contains("Calls: Enter detail") {
                try await console.session.sendKeys("Tab")
                try? await console.session.waitUntil(timeout: .seconds(2)) { $0.contains("Calls: Enter detail") }
            }
            try await console.session.sendKeys("w")
            try await console.session.waitUntil { $0.contains("Write recording") && $0.contains("1 ended calls") }
            try await console.session.sendKeys("C-u")
            try await console.session.type("session.jsonl")
            try await console.session.sendKeys("Enter")
            try await console.session.waitUntil { $0.contains("Wrote a recording of 1 calls to session.jsonl") }
            let text = try String(contentsOfFile: console.home + "/session.jsonl", encoding: .utf8)
            let read = RecordingReader.read(text)
            #expect(read.badLineCount == 0, "\(String(describing: read.firstBadLine))")
            #expect(read.header?.source == "console")
            let call = try #require(read.calls.first)
            #expect(read.calls.count == 1)
            #expect(call.name == "add-two-numbers" && call.outcome == "RESPONSE")
            #expect(try JSONValueText.parse(call.request) == #"{"numA":4,"numB":7}"#)
            #expect(call.response == "11")
            // A second w to the same name never overwrites: the notice says why.
            try await console.session.sendKeys("w")
            try await console.session.waitUntil { $0.contains("Write recording") }
            try await console.session.sendKeys("C-u")
            try await console.session.type("session.jsonl")
            try await console.session.sendKeys("Enter")
            try await console.session.waitUntil { $0.contains("Could not write a recording of 1 calls to session.jsonl") }
            #expect(try String(contentsOfFile: console.home + "/session.jsonl", encoding: .utf8) == text)
        }
    }
}

/// Compact JSON text of a payload, for comparing without caring about the client's spacing.
private enum JSONValueText {
    static func parse(_ text: String?) throws -> String? {
        guard let text, let data = text.data(using: .utf8) else { return nil }
        let object = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        let out = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .fragmentsAllowed])
        return String(decoding: out, as: UTF8.self)
    }
}
