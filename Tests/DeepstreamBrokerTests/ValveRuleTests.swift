import DeepstreamBroker
import DeepstreamProtocol
import Testing

@Suite("Valve rules: parser, evaluator, path matching, bounds")
struct ValveRuleTests {
    static func permissions(_ yaml: [(String, [String: JSONValue])]) throws -> RPCPermissions {
        let rpc = JSONValue.object(JSONObject(yaml.map { path, rules in (path, JSONValue.object(JSONObject(rules.map { ($0.key, $0.value) }))) }))
        return try RPCPermissions.parse(["rpc": rpc], source: "permissions.yml")
    }

    static func decide(
        _ rule: String, kind: RPCPermissions.Kind = .request, name: String = "x", user: String = "alice",
        serverData: JSONValue? = ["role": "admin", "limit": 100, "teams": ["a", "b"]], data: String? = nil
    ) throws -> PermissionDecision {
        let p = try permissions([("*", [kind.rawValue: .string(rule)])])
        return p.check(kind, name: name, subject: PermissionSubject(user: user, serverData: serverData), data: data,
                       now: Timestamp(nanoseconds: 1_700_000_000_000_000_000))
    }

    static func allows(_ rule: String, data: String? = nil, name: String = "x", user: String = "alice") throws -> Bool {
        switch try decide(rule, name: name, user: user, data: data) {
        case .allowed: return true
        case .denied: return false
        case .failed(_, let reason): throw TestFailure(reason)
        }
    }

    struct TestFailure: Error { let reason: String; init(_ r: String) { reason = r } }

    @Test("Operators, member access and literals with JavaScript semantics", arguments: [
        ("user.id === 'alice'", true), ("user.id !== 'alice'", false), ("user.data.role == 'admin'", true),
        ("user.data.limit > 99 && user.data.limit <= 100", true), ("user.data.limit < 50 || user.id === 'bob'", false),
        ("!(user.data.limit >= 100)", false), ("user.data['role'] === \"admin\"", true), ("user.data.teams[1] === 'b'", true),
        ("user.data.teams.length === 2", true), ("user.isAuthenticated === true", true), ("data.amount * 2 === 84", true),
        ("data.amount % 5 === 2", true), ("data.amount - 2 === 40 && data.amount / 2 === 21", true),
        ("data.note + '!' === 'hi!'", true), ("1 + 2 === 3", true), ("'1' + 2 === '12'", true), ("'10' == 10", true),
        ("'10' === 10", false), ("null == undefined", true), ("data.missing === undefined", true),
        ("typeof data.amount === 'number'", true), ("data.amount > 10 ? data.note === 'hi' : false", true),
        ("name === 'x' && action === 2", true), ("now > 1600000000000", true), ("'b' > 'a'", true), ("[1, 2][0] === 1", true),
        ("-data.amount === -42", true), ("data.flag", true), ("data.zero", true), ("false", false),
        ("data.zero === 0 && !data.zero", true),
    ])
    func expressions(rule: String, expected: Bool) throws {
        #expect(try Self.allows(rule, data: #"{"amount": 42, "note": "hi", "flag": true, "zero": 0}"#) == expected)
    }

    @Test("String methods deepstream allows", arguments: [
        ("data.s.startsWith('pay')", true), ("data.s.endsWith('.eu')", true), ("data.s.includes('ment')", true),
        ("data.s.indexOf('ment') === 3", true), ("data.s.indexOf('zzz') === -1", true), ("data.s.toUpperCase() === 'PAYMENT.EU'", true),
        ("data.padded.trim() === 'x'", true), ("'ABC'.toLowerCase() === 'abc'", true), ("data.s.match(/^pay[a-z]+\\.(eu|us)$/) !== null", true),
        ("data.s.match(/^PAY/i)[0] === 'pay'", true), ("data.s.match(/x{3,}/) === null", true), ("data.s.match('men')[0] === 'men'", true),
        ("user.data.teams.includes('a')", true), ("user.data.teams.indexOf('b') === 1", true),
        ("data.s.match(/\\bment/) === null", true), ("data.s.match(/t\\.e/).length === 1", true),
    ])
    func methods(rule: String, expected: Bool) throws {
        #expect(try Self.allows(rule, data: #"{"s": "payment.eu", "padded": "  x \n"}"#) == expected)
    }

    @Test("Only a result of exactly false denies (deepstream's message processor checks `result === false`)")
    func onlyFalseDenies() throws {
        #expect(try Self.allows("user.data.nothing"))  // undefined: allowed
        #expect(try Self.allows("0"))
        #expect(try Self.allows("''"))
        #expect(try Self.allows("null"))
        #expect(!(try Self.allows("1 === 2")))
    }

    @Test("Runtime errors are permission errors, not denials")
    func runtimeErrors() throws {
        #expect(try Self.decide("user.data.missing.deeper === 1") == .failed(
            rule: "rpc.*.request", reason: "TypeError: Cannot read properties of undefined (reading 'deeper')"))
        #expect(try Self.decide("user.data.role === 'x'", serverData: nil) == .failed(
            rule: "rpc.*.request", reason: "TypeError: Cannot read properties of null (reading 'role')"))
        #expect(try Self.decide("Math === 1") == .failed(rule: "rpc.*.request", reason: "ReferenceError: Math is not defined"))
        guard case .failed(_, let reason) = try Self.decide("data.a === 1", data: "{oops") else {
            Issue.record("invalid JSON data must fail the rule")
            return
        }
        #expect(reason.hasPrefix("error when converting message data"))
        #expect(try Self.decide("data === undefined", data: nil) == .allowed(rule: "rpc.*.request"))
        #expect(try Self.decide("user.data.limit.toUpperCase() === 'X'") == .failed(
            rule: "rpc.*.request", reason: "TypeError: number.toUpperCase is not a function"))
    }

    @Test("Refused at load time", arguments: [
        ("new Date()", "rule can't contain the new keyword"), ("function() { return true }", "rule can't contain user functions"),
        ("(() => true)()", "rule can't contain user functions"), ("eval('1')", "function eval is not supported"),
        ("data.x.substring(1)", "function substring is not supported"), ("user.id = 'x'", "rule can't assign (\"=\")"),
        ("_('record') === 1", "cross references _() read records, which the embedded broker does not have"),
        ("data.s.match(/(a)\\1/)", "regular expression /(a)\\1/: back references are not supported"),
        ("data.s.match(/a(?=b)/)", "regular expression /a(?=b)/: look-around and named groups are not supported"),
        ("user.id ===", "unexpected the end of the rule"), ("'abc", "unterminated string"),
        ("{a: 1}", "\"{\" is not supported in rules"),
    ])
    func refused(rule: String, message: String) {
        #expect(throws: RuleParser.Failure(message)) { try RuleParser.parse(rule) }
    }

    @Test("Bounded: long, deep or wide rules are refused; regular expressions cannot backtrack")
    func bounds() throws {
        #expect(throws: RuleParser.Failure("rule is longer than 4096 characters")) {
            try RuleParser.parse(String(repeating: "1+", count: 2100) + "1")
        }
        #expect(throws: RuleParser.Failure("rule is nested deeper than 64 levels")) {
            try RuleParser.parse(String(repeating: "(", count: 70) + "1" + String(repeating: ")", count: 70))
        }
        #expect(throws: RuleParser.Failure("rule is nested deeper than 64 levels")) {
            try RuleParser.parse(String(repeating: "!", count: 100) + "true")
        }
        #expect(throws: RuleParser.Failure("rule has more than 1024 parts")) {
            try RuleParser.parse(Array(repeating: "1", count: 1100).joined(separator: "+"))
        }
        // The classic catastrophic pattern on a long non-matching input finishes (state-set simulation).
        let input = String(repeating: "a", count: 20_000) + "!"
        #expect(try Self.allows("data.s.match(/^(a+)+$/) === null", data: "{\"s\": \"\(input)\"}"))
        // A huge input against an expensive pattern exhausts the step budget: a permission error, not a hang.
        let big = String(repeating: "ab", count: 20_000)
        guard case .failed(_, let reason) = try Self.decide(
            "data.s.match(/(a|b|ab|ba){0,150}c/) === null", data: "{\"s\": \"\(big)\"}")
        else {
            Issue.record("expected the budget to run out")
            return
        }
        #expect(reason == "rule exceeded its evaluation budget")
    }

    @Test("Paths: * and $variables as deepstream's regular expression matches them; the longest path wins")
    func paths() throws {
        let p = try Self.permissions([
            ("*", ["provide": true, "request": true]),
            ("payments.*", ["request": "user.data.role === 'finance'"]),
            ("payments.refund", ["request": false]),
            ("user/$userId/inbox", ["request": "$userId === user.id"]),
            ("admin-*", ["provide": "user.id === 'root'"]),
        ])
        func check(_ kind: RPCPermissions.Kind, _ name: String, _ user: String, role: String = "staff") -> PermissionDecision {
            p.check(kind, name: name, subject: PermissionSubject(user: user, serverData: ["role": .string(role)]), data: nil,
                    now: Timestamp(nanoseconds: 0))
        }
        #expect(check(.request, "payments.charge", "a", role: "finance") == .allowed(rule: "rpc.payments.*.request"))
        #expect(check(.request, "payments.charge", "a") == .denied(rule: "rpc.payments.*.request"))
        #expect(check(.request, "payments.refund", "a", role: "finance") == .denied(rule: "rpc.payments.refund.request"))
        // "." is a regular expression dot in deepstream: "paymentsXcharge" matches "payments.*" too.
        #expect(check(.request, "paymentsXcharge", "a") == .denied(rule: "rpc.payments.*.request"))
        #expect(check(.request, "other", "a") == .allowed(rule: "rpc.*.request"))
        #expect(check(.request, "user/alice/inbox", "alice") == .allowed(rule: "rpc.user/$userId/inbox.request"))
        #expect(check(.request, "user/alice/inbox", "bob") == .denied(rule: "rpc.user/$userId/inbox.request"))
        // $userId does not match across "/": the name falls back to "*".
        #expect(check(.request, "user/a/b/inbox", "bob") == .allowed(rule: "rpc.*.request"))
        #expect(check(.provide, "admin-reset", "root") == .allowed(rule: "rpc.admin-*.provide"))
        #expect(check(.provide, "admin-reset", "eve") == .denied(rule: "rpc.admin-*.provide"))
        // "payments.*" has no provide rule, so "*" decides providing.
        #expect(check(.provide, "payments.charge", "eve") == .allowed(rule: "rpc.*.provide"))

        let pattern = try PathPattern("a/$x/$y*")
        #expect(pattern.captures("a/one/two-three") == ["one", "two-three"])
        #expect(pattern.captures("a//b") == nil)
        #expect(try PathPattern("a*b*c").matches("a123b456c") && !(try PathPattern("a*b*c").matches("a123b456")))
        #expect(try PathPattern("*").matches("") && !(try PathPattern(".").matches("")))
    }

    @Test("No rule of the type on any matching path: denied")
    func noRule() throws {
        let p = try Self.permissions([("*", ["provide": true])])
        #expect(p.check(.request, name: "x", subject: PermissionSubject(user: "a", serverData: nil), data: nil,
                        now: Timestamp(nanoseconds: 0)) == .denied(rule: nil))
    }
}
