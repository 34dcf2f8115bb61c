import CallRecording
import DeepstreamBroker
import DeepstreamProtocol
import MockProviders
import Testing

@testable import dsconsole

/// A recording read as providers (`RecordingProviderHost.load`, shared by `provide --from-recording`
/// and the console's `--providers-from-recording`) and how the console merges them with its mocks.
@Suite("Recorded providers")
struct RecordedProvidersTests {
    static let start: UInt64 = 1_764_000_000_000_000_000

    /// A recorded call answered with `response` after `latency` milliseconds.
    static func call(_ name: String, _ id: String, request: String?, response: String, latency: UInt64 = 0, error: Bool = false) -> String {
        let answer: CallStep = error ? .errored(data: response) : .responded(data: response)
        return RecordingFormat.line(for: RecordedCall(
            name: name, correlationId: id, request: request, response: response,
            timeline: [.init(step: .requested(data: request), at: Timestamp(nanoseconds: start)),
                       .init(step: answer, at: Timestamp(nanoseconds: start + latency * 1_000_000))]))
    }

    /// A recording of `greet` (twice, different data), `add` and an `echo`, plus `extra` lines.
    static func text(extra: [String] = []) -> String {
        ([RecordingFormat.line(for: RecordingHeader(source: "test", startedAt: Timestamp(nanoseconds: start)))]
            + [call("greet", "g1", request: #"{"name":"Ada"}"#, response: #"{"greeting":"Hello, Ada!"}"#),
               call("greet", "g2", request: #"{"name":"Bob"}"#, response: #"{"greeting":"Hello, Bob!"}"#),
               call("add", "a1", request: #"{"a":40,"b":2}"#, response: "42"),
               call("echo", "e1", request: "1", response: "1")]
            + extra).joined(separator: "\n")
    }

    @Test func everyRecordedNameBecomesOneProviderWithItsSummaryAndFile() throws {
        let loaded = try RecordingProviderHost.load(text: Self.text(), file: "calls.jsonl", match: .data, speed: 1)
        #expect(loaded.providers.map(\.name) == ["add", "echo", "greet"])
        #expect(loaded.providers.map(\.summary) == [
            "1 recorded call, match data", "1 recorded call, match data", "2 recorded calls, match data",
        ])
        #expect(loaded.providers.allSatisfy { $0.recording == "calls.jsonl" })
        #expect(loaded.badLineCount == 0 && loaded.firstBadLine == nil && loaded.notes.isEmpty)
        let byName = try RecordingProviderHost.load(text: Self.text(), file: "calls.jsonl", match: .name, speed: 1)
        #expect(byName.providers.last?.summary == "2 recorded calls, match name")
    }

    @Test func badLinesAreReportedAndAFileWithoutCallsIsRefused() throws {
        let loaded = try RecordingProviderHost.load(
            text: Self.text(extra: ["not json", #"{"name":"x"}"#]), file: "f.jsonl", match: .data, speed: 1)
        #expect(loaded.providers.count == 3)
        #expect(loaded.badLineCount == 2)
        #expect(loaded.firstBadLine?.hasPrefix("line 6: not JSON") == true, "\(String(describing: loaded.firstBadLine))")
        #expect(loaded.notes.first?.hasPrefix("f.jsonl: skipped 2 bad lines (first: line 6: not JSON") == true)
        #expect(throws: CommandFailure.self) {
            try RecordingProviderHost.load(text: "hello\nworld", file: "f.jsonl", match: .data, speed: 1)
        }
        do {
            _ = try RecordingProviderHost.load(text: "hello", file: "f.jsonl", match: .data, speed: 1)
        } catch {
            #expect(error.status == .dataError)
            #expect(error.message.hasPrefix("dsconsole: f.jsonl: not a recording: line 1: "), "\(error.message)")
        }
    }

    @Test func recordedNamesReplaceMocksAndAreProvidedAtStartOnTheEmbeddedBrokerOnly() throws {
        let file = try BuiltInProviders.load(path: nil).get()
        let recorded = try RecordingProviderHost.load(text: Self.text(), file: "calls.jsonl", match: .data, speed: 1).providers
        let embedded = ConsoleLauncher.ownProviders(
            file, recorded: recorded, target: .embedded(configuration: BrokerConfiguration(), authData: [:], configFile: nil))
        // The built-in echo and greet give way to the recorded ones; add is new.
        #expect(embedded.filter { $0.provider.name == "echo" }.count == 1)
        #expect(embedded.filter { $0.provider.recording != nil }.map(\.provider.name) == ["add", "echo", "greet"])
        #expect(embedded.count == file.providers.count - 2 + 3)
        #expect(embedded.allSatisfy { $0.provideAtStart })
        let remote = ConsoleLauncher.ownProviders(
            file, recorded: recorded, target: .remote(url: "ws://x", user: nil, authData: [:], provide: .named(["add"])))
        #expect(remote.filter(\.provideAtStart).map(\.provider.name) == ["add"])
        let proxied = ConsoleLauncher.ownProviders(file, recorded: recorded, target: .proxied([], user: nil, authData: [:]))
        #expect(!proxied.contains { $0.provideAtStart })
    }
}
