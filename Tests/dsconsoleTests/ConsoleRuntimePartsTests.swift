import ConsoleCore
import DeepstreamClient
import DeepstreamProtocol
import Foundation
import MockProviders
import Testing

@testable import dsconsole

/// The console runtime's pure helpers: built-in copies of shipped files, the add-provider syntax, the
/// history file, the state directory and the bounded engine-event hand-over.
@Suite("Console runtime parts")
struct ConsoleRuntimePartsTests {
    private static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    private static func repositoryText(_ path: String) throws -> String {
        try String(contentsOf: repository.appendingPathComponent(path), encoding: .utf8)
    }

    @Test("Built-in themes are the themes/ files, and each parses", arguments: ["dark", "light", "monochrome"])
    func builtInThemesMatchFiles(name: String) throws {
        let builtIn = try #require(BuiltInThemes.source(named: name))
        let file = try Self.repositoryText("themes/\(name).theme")
        #expect(builtIn.trimmingCharacters(in: .whitespacesAndNewlines) == file.trimmingCharacters(in: .whitespacesAndNewlines))
        let theme = try ThemeSelection.resolve(name).get()
        #expect(theme.name == name)
    }

    @Test("--theme with an unknown name or a broken file is a one-line error")
    func themeErrors() throws {
        guard case .failure(let missing) = ThemeSelection.resolve("no-such-theme") else {
            Issue.record("an unknown theme was accepted")
            return
        }
        #expect(missing.message.contains("dark, light, monochrome"))
        let path = NSTemporaryDirectory() + "broken-\(UUID().uuidString).theme"
        try "name = x\nborder = fg:nonsense\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        guard case .failure(let broken) = ThemeSelection.resolve(path) else {
            Issue.record("a broken theme file was accepted")
            return
        }
        #expect(broken.message.contains("line 2"))
        #expect(!broken.message.contains("\n"))
    }

    @Test("The built-in providers are Examples/providers.json and add-two-numbers gives 11")
    func builtInProviders() throws {
        let file = try Self.repositoryText("Examples/providers.json")
        #expect(BuiltInProviders.source.trimmingCharacters(in: .whitespacesAndNewlines)
            == file.trimmingCharacters(in: .whitespacesAndNewlines))
        let providers = try BuiltInProviders.load(path: nil).get()
        #expect(providers.provideOnStart)
        let add = try #require(providers.provider(named: "add-two-numbers"))
        var random = SystemRandomNumberGenerator()
        let plan = add.behaviour.plan(
            for: ProviderRequest(name: "add-two-numbers", correlationId: "c1", data: ["numA": 4, "numB": 7]),
            at: Timestamp(nanoseconds: 0), using: &random)
        #expect(plan == .respond(11, after: .zero))
    }

    @Test("The add-provider syntax: keywords, JSON objects and errors")
    func behaviourSyntax() throws {
        #expect(try BehaviourSyntax.parse(name: "e", behaviour: "").get().behaviour.reply == .echo)
        #expect(try BehaviourSyntax.parse(name: "e", behaviour: "echo").get().behaviour.reply == .echo)
        #expect(try BehaviourSyntax.parse(name: "r", behaviour: #"reply {"ok": true}"#).get().behaviour.reply == .fixed(["ok": true]))
        #expect(try BehaviourSyntax.parse(name: "r", behaviour: "reply hello there").get().behaviour.reply == .fixed("hello there"))
        #expect(try BehaviourSyntax.parse(name: "x", behaviour: "reject").get().behaviour.reply == .reject)
        #expect(try BehaviourSyntax.parse(name: "x", behaviour: "never-accept").get().behaviour.reply == .neverAccept)
        #expect(try BehaviourSyntax.parse(name: "x", behaviour: "never-respond").get().behaviour.reply == .neverRespond)
        #expect(try BehaviourSyntax.parse(name: "x", behaviour: #"error "nope""#).get().behaviour.reply == .error("nope"))
        let template = try BehaviourSyntax.parse(name: "add", behaviour: "template {{data.numA + data.numB}}").get()
        var random = SystemRandomNumberGenerator()
        let plan = template.behaviour.plan(
            for: ProviderRequest(name: "add", correlationId: "c", data: ["numA": 1, "numB": 2]),
            at: Timestamp(nanoseconds: 0), using: &random)
        #expect(plan == .respond(3, after: .zero))
        let delayed = try BehaviourSyntax.parse(name: "slow", behaviour: #"{"echo": true, "delay": 200}"#).get()
        #expect(delayed.name == "slow")
        #expect(delayed.behaviour.delay == ProviderDelay(milliseconds: 200))
        #expect(throws: BehaviourSyntax.ParseFailure.self) { try BehaviourSyntax.parse(name: "x", behaviour: "dance").get() }
        #expect(throws: BehaviourSyntax.ParseFailure.self) { try BehaviourSyntax.parse(name: "x", behaviour: "template").get() }
        #expect(throws: BehaviourSyntax.ParseFailure.self) { try BehaviourSyntax.parse(name: "x", behaviour: "{broken").get() }
        #expect(throws: BehaviourSyntax.ParseFailure.self) {
            try BehaviourSyntax.parse(name: "x", behaviour: #"{"echo": true, "reject": true}"#).get()
        }
    }

    @Test("History is saved and loaded back; a damaged file is an error, a missing one is empty")
    func historyRoundTrip() throws {
        let directory = NSTemporaryDirectory() + "history-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = HistoryStore(path: directory + "/nested/history.json")
        #expect(try store.load().get().isEmpty)
        let entries = [ComposerHistoryEntry(name: "add-two-numbers", body: #"{"numA": 4, "numB": 7}"#),
                       ComposerHistoryEntry(name: "echo", body: "")]
        #expect(store.save(entries) == nil)
        #expect(try store.load().get() == entries)
        try "not json".write(toFile: store.path, atomically: true, encoding: .utf8)
        guard case .failure = store.load() else {
            Issue.record("a damaged history file was accepted")
            return
        }
    }

    @Test("The state directory follows XDG_STATE_HOME, else ~/.local/state")
    func statePaths() {
        #expect(StatePaths(environment: ["XDG_STATE_HOME": "/s", "HOME": "/h"]).historyFile == "/s/dsconsole/history.json")
        #expect(StatePaths(environment: ["HOME": "/h"]).historyFile == "/h/.local/state/dsconsole/history.json")
        // A relative XDG_STATE_HOME is invalid per the spec and ignored.
        #expect(StatePaths(environment: ["XDG_STATE_HOME": "rel", "HOME": "/h"]).logFile == "/h/.local/state/dsconsole/console.log")
    }

    @Test("The engine-event queue wakes once per batch, keeps the newest and counts drops")
    func eventQueue() {
        let queue = EngineEventQueue(capacity: 3)
        let events = (1...5).map { EngineEvent.dropped(count: $0) }
        let wakes = events.map { queue.append($0) }
        #expect(wakes == [true, false, false, false, false])
        let (batch, dropped) = queue.takeAll()
        #expect(Array(batch) == Array(events.suffix(3)))
        #expect(dropped == 2)
        #expect(queue.append(events[0]))
        #expect(queue.takeAll().dropped == 0)
    }

    @Test("A batch goes into the engine-event queue under one wake-up, without frames, within the bound")
    func eventQueueBatches() {
        let queue = EngineEventQueue(capacity: 3)
        let frame = EngineEvent.frame(direction: .inbound, message: nil, byteCount: 2, at: Timestamp(nanoseconds: 0))
        #expect(!queue.append(contentsOf: [frame]))
        let events = (1...4).map { EngineEvent.dropped(count: $0) }
        #expect(queue.append(contentsOf: [events[0], frame, events[1]]))
        #expect(!queue.append(contentsOf: [events[2], events[3]]))
        let (batch, dropped) = queue.takeAll()
        #expect(Array(batch) == Array(events.suffix(3)))
        #expect(dropped == 1)
    }
}
