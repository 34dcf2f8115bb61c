import DeepstreamProtocol
import RPCSteering
import Testing

@Suite("RPCSteering: rules file, glob matching and the per-call decision")
struct SteeringRulesTests {
    @Test("The issue's minimum file parses into a fail rule and a delay rule")
    func minimumShape() throws {
        let rules = try SteeringRules(parsing: """
            {"rules": [{"match": "payments.*", "action": "fail", "error": "card declined", "rate": 0.25},
                       {"match": "search", "action": "delay", "ms": "200..400"}]}
            """, file: "rules.json")
        #expect(rules.rules == [
            SteeringRule(match: GlobPattern("payments.*"), action: .fail(error: "card declined"), rate: 0.25),
            SteeringRule(match: GlobPattern("search"), action: .delayRequest(DelayRange(minimum: 200, maximum: 400)!)),
        ])
    }

    @Test("Every action and option parses")
    func allActions() throws {
        let rules = try SteeringRules(parsing: """
            {"description": "x", "rules": [
              {"match": "a", "action": "delay", "ms": 50, "on": "response", "requestor": "web-*", "provider": "svc"},
              {"match": "b", "action": "reject", "enabled": false},
              {"match": "c", "action": "drop-response", "rate": 0},
              {"match": "d", "action": "fail", "error": {"code": 7}},
              {"match": "e", "action": "fail"}]}
            """, file: "f")
        #expect(rules.rules[0] == SteeringRule(
            match: GlobPattern("a"), requestor: GlobPattern("web-*"), provider: GlobPattern("svc"),
            action: .delayResponse(DelayRange(minimum: 50, maximum: 50)!)))
        #expect(rules.rules[1].action == .reject && !rules.rules[1].isEnabled)
        #expect(rules.rules[2].action == .dropResponse && rules.rules[2].rate == 0)
        #expect(rules.rules[3].action == .fail(error: .object(JSONObject([("code", .int(7))]))))
        #expect(rules.rules[4].action == .fail(error: "steered failure"))
    }

    @Test("Bad files give one-line errors naming the rule index", arguments: [
        ("[]", "f: expected an object with \"rules\", got an array"),
        ("{\"rule\": []}", "f: unknown member \"rule\" (known: rules, description)"),
        ("{}", "f: missing \"rules\""),
        ("{\"rules\": [{\"action\": \"fail\"}]}", "f: rules[0]: missing \"match\" (an RPC name or glob)"),
        ("{\"rules\": [{\"match\": \"a\", \"action\": \"fail\"}, {\"match\": \"b\", \"action\": \"explode\"}]}",
         "f: rules[1]: action: expected delay, fail, reject, drop-response or hold, got \"explode\""),
        ("{\"rules\": [{\"match\": \"a\", \"action\": \"delay\", \"ms\": \"400..200\"}]}",
         "f: rules[0]: ms: the range \"400..200\" is empty (400 > 200)"),
        ("{\"rules\": [{\"match\": \"a\", \"action\": \"delay\"}]}",
         "f: rules[0]: missing \"ms\" (milliseconds: 200 or \"200..400\")"),
        ("{\"rules\": [{\"match\": \"a\", \"action\": \"delay\", \"ms\": \"1...2\"}]}",
         "f: rules[0]: ms: expected \"MIN..MAX\", got \"1...2\""),
        ("{\"rules\": [{\"match\": \"a\", \"action\": \"reject\", \"rate\": 1.5}]}",
         "f: rules[0]: rate: expected a number within 0…1, got 1.5"),
        ("{\"rules\": [{\"match\": \"a\", \"action\": \"reject\", \"ms\": 5}]}",
         "f: rules[0]: ms: does not apply to action reject"),
        ("{\"rules\": [{\"match\": \"a\", \"action\": \"reject\", \"mathc\": 5}]}",
         "f: rules[0]: unknown member \"mathc\" (known: match, requestor, provider, action, rate, enabled, ms, on, error)"),
        ("{\"rules\": [{\"match\": \"a\\nb\", \"action\": \"delay\", \"ms\": 1, \"on\": \"x\\ny\"}]}",
         "f: rules[0]: on: expected \"request\" or \"response\", got \"x y\""),
        ("{\"rules\": [", "f: invalid JSON"),
    ])
    func errors(text: String, expected: String) {
        #expect(throws: SteeringRulesError.self) { try SteeringRules(parsing: text, file: "f") }
        do { _ = try SteeringRules(parsing: text, file: "f") } catch {
            #expect(error.description.hasPrefix(expected), "\(error.description)")
            #expect(!error.description.contains("\n"))
        }
    }

    @Test("Glob: * spans dots and may be empty, ? is one character, literals compare whole names", arguments: [
        ("payments.*", "payments.charge", true), ("payments.*", "payments.", true), ("payments.*", "payments", false),
        ("*", "", true), ("*.get", "a.b.get", true), ("a?c", "abc", true), ("a?c", "ac", false),
        ("search", "search", true), ("search", "search2", false), ("*a*b*", "xxaxxbxx", true), ("*a*b", "ba", false),
        ("é*", "éclair", true),
    ])
    func glob(pattern: String, name: String, matches: Bool) {
        #expect(GlobPattern(pattern).matches(name) == matches)
    }

    @Test("A pathological glob stays fast (no exponential backtracking)")
    func globWorstCase() {
        let pattern = GlobPattern(String(repeating: "*a", count: 40) + "b")
        #expect(!pattern.matches(String(repeating: "a", count: 2000)))
    }

    @Test("The first enabled matching rule whose rate fires decides; user filters need the user")
    func decide() {
        let rules = SteeringRules([
            SteeringRule(match: GlobPattern("x"), action: .reject, isEnabled: false),
            SteeringRule(match: GlobPattern("x"), requestor: GlobPattern("web-*"), action: .dropResponse),
            SteeringRule(match: GlobPattern("x"), provider: GlobPattern("svc"), action: .fail(error: "no")),
            SteeringRule(match: GlobPattern("*"), action: .delayResponse(DelayRange(minimum: 10, maximum: 20)!)),
        ])
        var random = SplitMix64(seed: 1)
        #expect(rules.decide(name: "x", requestor: "web-1", provider: "svc", using: &random)
            == SteeringDecision(rule: 2, action: .dropResponse))
        #expect(rules.decide(name: "x", requestor: "app", provider: "svc", using: &random)
            == SteeringDecision(rule: 3, action: .fail(error: "no")))
        let delay = rules.decide(name: "x", requestor: nil, provider: nil, using: &random)
        #expect(delay?.rule == 4 && (10...20).contains(delay?.delayMilliseconds ?? -1))
        #expect(SteeringRules().decide(name: "x", requestor: nil, provider: nil, using: &random) == nil)
        #expect(rules.decide(name: "y", requestor: nil, provider: nil, using: &random)?.rule == 4)
        #expect(SteeringRules([SteeringRule(match: GlobPattern("x"), action: .reject)])
            .decide(name: "y", requestor: nil, provider: nil, using: &random) == nil)
    }

    @Test("Rates: 0 never fires, 1 always, 0.25 about a quarter of 10,000 seeded calls, then the next rule")
    func rates() {
        var random = SplitMix64(seed: 7)
        let never = SteeringRules([SteeringRule(match: GlobPattern("*"), action: .reject, rate: 0)])
        #expect((0..<1000).allSatisfy { _ in never.decide(name: "a", requestor: nil, provider: nil, using: &random) == nil })
        let quarter = SteeringRules([
            SteeringRule(match: GlobPattern("*"), action: .reject, rate: 0.25),
            SteeringRule(match: GlobPattern("*"), action: .dropResponse),
        ])
        var rejects = 0
        for _ in 0..<10_000 {
            switch quarter.decide(name: "a", requestor: nil, provider: nil, using: &random)?.action {
            case .reject?: rejects += 1
            case .dropResponse?: break
            default: Issue.record("every call must be decided by one of the two rules")
            }
        }
        #expect((2300...2700).contains(rejects), "\(rejects)")
    }

    @Test("Delay ranges draw within bounds and cover both ends")
    func delayDraw() {
        var random = SplitMix64(seed: 3)
        let range = DelayRange(minimum: 200, maximum: 203)!
        let drawn = Set((0..<200).map { _ in range.draw(using: &random) })
        #expect(drawn == [200, 201, 202, 203])
        #expect(DelayRange(minimum: 5, maximum: 4) == nil)
        #expect(DelayRange(minimum: 0, maximum: DelayRange.limit + 1) == nil)
    }

    @Test("Decisions record themselves as timeline steps")
    func steps() {
        #expect(SteeringDecision(rule: 2, action: .delayRequest(DelayRange(minimum: 1, maximum: 1)!), delayMilliseconds: 312).step
            == .steered(rule: 2, action: "delay-request", detail: "312 ms"))
        #expect(SteeringDecision(rule: 1, action: .fail(error: "card declined")).step
            == .steered(rule: 1, action: "fail", detail: "\"card declined\""))
        #expect(SteeringDecision(rule: 3, action: .reject).step == .steered(rule: 3, action: "reject", detail: nil))
        #expect(!CallStep.steered(rule: 1, action: "fail", detail: nil).isFinal)
    }
}
