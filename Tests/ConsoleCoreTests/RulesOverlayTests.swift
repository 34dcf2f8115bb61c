import ConsoleCore
import DeepstreamProtocol
import RPCSteering
import Testing

/// The Rules overlay (`R`, issue 13): list with hit counts, Space on/off, add and edit as one line of
/// JSON with one-line errors, delete; every change is one `replaceRules` effect for the broker.
@Suite("Rules overlay (reduce)")
struct RulesOverlayTests {
    static let file = #"{"rules": [{"match": "pay*", "action": "fail", "error": "card declined"}, {"match": "search", "action": "delay", "ms": "200..400"}]}"#

    func steeringState() throws -> ConsoleState {
        var configuration = ConsoleConfiguration(url: "ws://127.0.0.1:6020/deepstream", user: "console", embeddedBroker: true)
        configuration.canSteer = true
        var state = ConsoleState(configuration: configuration, columns: 120, rows: 40)
        _ = reduce(&state, .rulesLoaded(try SteeringRules(parsing: Self.file, file: "rules.json")))
        return state
    }

    @Test("R opens the list: number, on/off, calls touched, the rule as JSON; R closes it")
    func list() throws {
        var state = try steeringState()
        press(&state, .character("R"))
        #expect(state.overlay == .rules)
        let lines = state.ruleLines.map(\.description)
        #expect(lines == [
            #"  1  on     0 calls  {"match":"pay*","action":"fail","error":"card declined"}"#,
            #"  2  on     0 calls  {"match":"search","action":"delay","ms":"200..400"}"#,
        ])
        press(&state, .character("R"))
        #expect(state.overlay == nil)
    }

    @Test("Hits count calls, once per call, from the steered steps of the broker's timeline")
    func hits() throws {
        var state = try steeringState()
        _ = reduce(&state, brokerCall("c1", "pay", .requested(data: nil), at: time(1)))
        _ = reduce(&state, brokerCall("c1", "pay", .steered(rule: 1, action: "fail", detail: "1"), at: time(1)))
        _ = reduce(&state, brokerCall("c2", "search", .requested(data: nil), at: time(1)))
        // A rule firing twice on one call (a reject at two providers) counts the call once.
        _ = reduce(&state, brokerCall("c2", "search", .steered(rule: 2, action: "reject", detail: nil), at: time(1)))
        _ = reduce(&state, brokerCall("c2", "search", .steered(rule: 2, action: "reject", detail: nil), at: time(1)))
        _ = reduce(&state, brokerCall("c3", "search", .steered(rule: 2, action: "reject", detail: nil), at: time(1)))
        // The switch-off step (rule 0) and unknown numbers count nowhere.
        _ = reduce(&state, brokerCall("c4", "x", .steered(rule: 0, action: "switched-off", detail: nil), at: time(1)))
        _ = reduce(&state, brokerCall("c5", "x", .steered(rule: 9, action: "reject", detail: nil), at: time(1)))
        #expect(state.rules.hits == [1, 2])
        #expect(state.ruleLines[1].description.contains(" 2 calls "))
        #expect(state.ruleLines[0].description.contains(" 1 call "))
    }

    @Test("Space disables and enables the selected rule; each change goes to the broker")
    func toggle() throws {
        var state = try steeringState()
        press(&state, .character("R"), .character("j"))
        let effects = work(press(&state, .character(" ")))
        var expected = state.rules.rules
        #expect(expected.rules[1].isEnabled == false)
        #expect(effects == [.replaceRules(expected)])
        #expect(state.ruleLines[1].description.contains("  off  "))
        #expect(state.ruleLines[1].description.hasSuffix(#""ms":"200..400","enabled":false}"#))
        expected.rules[1].isEnabled = true
        #expect(work(press(&state, .character(" "))) == [.replaceRules(expected)])
    }

    @Test("a adds a rule typed as JSON; a wrong one is refused with one line and the text kept")
    func add() throws {
        var state = try steeringState()
        press(&state, .character("R"), .character("a"))
        #expect(state.activeContexts.first == .ruleInput)
        type(&state, #"{"match": "inventory.*", "action": "delay", "ms": "400..200"}"#)
        #expect(work(press(&state, .enter)).isEmpty)
        #expect(state.rules.error == #"ms: the range "400..200" is empty (400 > 200)"#)
        #expect(state.rules.editor != nil, "the editor stays open with the text")
        // Fix it in place: Ctrl-U empties the line.
        press(&state, .ctrl("u"))
        type(&state, #"{"match": "inventory.*", "provider": "worker-*", "action": "reject", "rate": 0.5}"#)
        let effects = work(press(&state, .enter))
        #expect(state.rules.editor == nil)
        #expect(state.rules.rules.rules.count == 3)
        #expect(state.rules.selection == 2)
        #expect(effects == [.replaceRules(state.rules.rules)])
        #expect(state.rules.rules.rules[2] == SteeringRule(
            match: GlobPattern("inventory.*"), provider: GlobPattern("worker-*"), action: .reject, rate: 0.5))
        #expect(state.notice?.text.hasPrefix("Rule 3 saved") == true)
    }

    @Test("Bad input of every kind gets a one-line reason")
    func errors() throws {
        for (text, reason) in [
            ("{nope", "invalid JSON"), (#"{"action": "reject"}"#, #"missing "match""#),
            (#"{"match": "a", "action": "explode"}"#, "action: expected delay, fail, reject, drop-response or hold"),
            (#"{"match": "a", "action": "reject", "ms": 3}"#, "ms: does not apply to action reject"),
            ("[1]", "expected an object"),
        ] {
            var state = try steeringState()
            press(&state, .character("R"), .character("a"))
            type(&state, text)
            press(&state, .enter)
            let error = try #require(state.rules.error, "\(text)")
            #expect(error.contains(reason), "\(text): \(error)")
            #expect(!error.contains("\n"))
        }
    }

    @Test("e edits the selected rule in place (its hits restart); Esc cancels an edit")
    func edit() throws {
        var state = try steeringState()
        _ = reduce(&state, brokerCall("c1", "pay", .steered(rule: 1, action: "fail", detail: "1"), at: time(1)))
        press(&state, .character("R"), .character("e"))
        #expect(state.rules.editor?.text == #"{"match":"pay*","action":"fail","error":"card declined"}"#)
        press(&state, .escape)
        #expect(state.rules.editor == nil)
        #expect(state.overlay == .rules)
        press(&state, .enter)
        press(&state, .ctrl("u"))
        type(&state, #"{"match": "pay*", "action": "fail", "error": {"code": 402}}"#)
        let effects = work(press(&state, .enter))
        #expect(state.rules.rules.rules[0].action == .fail(error: ["code": 402]))
        #expect(state.rules.hits == [0, 0])
        #expect(effects == [.replaceRules(state.rules.rules)])
    }

    @Test("d deletes the selected rule; the next one moves up")
    func delete() throws {
        var state = try steeringState()
        press(&state, .character("R"))
        let effects = work(press(&state, .character("d")))
        #expect(state.rules.rules.rules.map(\.match.text) == ["search"])
        #expect(effects == [.replaceRules(state.rules.rules)])
        press(&state, .character("d"))
        #expect(state.rules.rules.isEmpty)
        #expect(work(press(&state, .character("d"))).isEmpty, "nothing left to delete")
    }

    @Test("Without the embedded broker R only explains")
    func remoteServer() {
        var state = makeState(embedded: false)
        press(&state, .character("R"))
        #expect(state.overlay == nil)
        #expect(state.notice?.text == "Steering rules apply to the console's embedded broker or proxy only")
    }

    @Test("A rule's file entry reads back to the same rule", arguments: [
        #"{"match":"a*","requestor":"web-?","action":"delay","ms":250,"on":"response","rate":0.25,"enabled":false}"#,
        #"{"match":"b","action":"drop-response"}"#, #"{"match":"c","action":"delay","ms":"1..5"}"#,
        #"{"match":"d","action":"fail","error":null}"#,
    ])
    func roundTrip(text: String) throws {
        let rule = try SteeringRule(parsingEntry: text)
        #expect(rule.entry.jsonText == text)
        #expect(try SteeringRule(parsingEntry: rule.entry.jsonText) == rule)
    }
}
