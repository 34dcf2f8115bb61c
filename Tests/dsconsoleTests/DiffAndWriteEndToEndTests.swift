import CallRecording
import DeepstreamProtocol
import Foundation
import Testing

/// `d`, `m` and `w` in the real console (tmux), on a recording opened offline.
@Suite("Diff and write calls (tmux)", .serialized)
struct DiffAndWriteEndToEndTests {
    @Test("d diffs with the previous call of the name, m marks another; w writes the shown calls back out")
    func diffAndWrite() async throws {
        let dir = try OpenRecordingEndToEndTests.shortDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = try await BinaryTests.ReplayCommandTests.makeRecording(in: dir)
        let recorded = RecordingReader.read(try String(contentsOfFile: path, encoding: .utf8)).calls
        try await RunningConsole.run(arguments: ["open", path]) { console in
            try await console.session.waitUntil(timeout: .seconds(10)) { $0.contains("Opened \(path): 6 calls") }
            // The newest call (fails) is selected; three up is the third greet (Cy).
            try await console.session.sendKeys("k", "k", "k")
            try await console.session.sendKeys("d")
            try await console.session.waitUntil { screen in
                screen.contains("Diff of responses") && screen.contains("(previous greet)")
                    && screen.contains(#"~ $.greeting: "Hello, Bob!" -> "Hello, Cy!""#)
                    && screen.contains(#"-   "greeting": "Hello, Bob!","#) && screen.contains(#"+   "greeting": "Hello, Cy!","#)
            }
            // Removed and added lines are drawn in their theme roles (in tmux's capture without colours:
            // bold), unchanged lines in plain text.
            let colored = try await console.session.capturePane(includingEscapes: true)
            let removedStyle = Self.style(before: #"-   "greeting": "Hello, Bob!","#, in: colored)
            let addedStyle = Self.style(before: #"+   "greeting": "Hello, Cy!","#, in: colored)
            let sameStyle = Self.style(before: #"    "items": ["#, in: colored)
            #expect(removedStyle != nil && addedStyle != nil && sameStyle != nil)
            #expect(removedStyle != sameStyle && addedStyle != sameStyle, "\(String(describing: removedStyle)) \(String(describing: addedStyle)) \(String(describing: sameStyle))")
            try await console.session.sendKeys("Escape")
            try await console.session.waitUntil { !$0.contains("Diff of responses") }
            // Mark the first greet (Ada), go back to Cy and diff against the mark.
            try await console.session.sendKeys("k", "k", "m")
            try await console.session.waitUntil { $0.contains("Marked greet") }
            try await console.session.sendKeys("j", "j", "d")
            try await console.session.waitUntil { screen in
                screen.contains("(marked)") && screen.contains(#"~ $.greeting: "Hello, Ada!" -> "Hello, Cy!""#)
            }
            try await console.session.sendKeys("Escape")
            // w writes the offline log back out: the same calls.
            try await console.session.sendKeys("w")
            try await console.session.waitUntil { $0.contains("Write recording") && $0.contains("6 ended calls") }
            try await console.session.sendKeys("C-u")
            try await console.session.type("again.jsonl")
            try await console.session.sendKeys("Enter")
            try await console.session.waitUntil { $0.contains("Wrote a recording of 6 calls to again.jsonl") }
            let again = RecordingReader.read(try String(contentsOfFile: console.home + "/again.jsonl", encoding: .utf8))
            #expect(again.badLineCount == 0)
            #expect(again.calls.map(\.name) == recorded.map(\.name))
            #expect(again.calls.map(\.correlationId) == recorded.map(\.correlationId))
            #expect(again.calls.map(\.request) == recorded.map(\.request))
            #expect(again.calls.map(\.response) == recorded.map(\.response))
            #expect(again.calls.map(\.outcome) == recorded.map(\.outcome))
            #expect(again.calls.map { $0.timeline.map(\.at) } == recorded.map { $0.timeline.map(\.at) })
        }
    }

    /// The last SGR escape sequence (`ESC [ … m`) before `text` on its line, if any.
    static func style(before text: String, in screen: String) -> String? {
        guard let range = screen.range(of: text) else { return nil }
        let lineStart = screen[..<range.lowerBound].lastIndex(of: "\n") ?? screen.startIndex
        let head = screen[lineStart..<range.lowerBound]
        guard let escape = head.range(of: "\u{1B}[", options: .backwards) else { return nil }
        return String(head[escape.lowerBound...])
    }
}
