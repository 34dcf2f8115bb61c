import DeepstreamProtocol
import MockProviders
import Testing

@Suite("Provider behaviours")
struct ProviderBehaviourTests {
    private func plan(_ behaviour: ProviderBehaviour, _ data: JSONValue?, seed: UInt64 = 1) -> ProviderPlan {
        var generator = SplitMix64(seed: seed)
        return behaviour.plan(for: Fixtures.request(data), at: Fixtures.now, using: &generator)
    }

    @Test("echo responds with the request data, or with no payload when there was none")
    func echo() {
        #expect(plan(ProviderBehaviour(reply: .echo), ["a": 1]) == .respond(["a": 1], after: .zero))
        #expect(plan(ProviderBehaviour(reply: .echo), .null) == .respond(.null, after: .zero))
        #expect(plan(ProviderBehaviour(reply: .echo), nil) == .respond(nil, after: .zero))
    }

    @Test("a fixed reply ignores the request")
    func fixed() {
        #expect(plan(ProviderBehaviour(reply: .fixed(["ok": true])), 5) == .respond(["ok": true], after: .zero))
    }

    @Test("a template is rendered for the request")
    func template() throws {
        let behaviour = ProviderBehaviour(reply: .template(try Template("{{data.numA + data.numB}}")))
        #expect(plan(behaviour, ["numA": 4, "numB": 7]) == .respond(11, after: .zero))
    }

    @Test("a template evaluation error becomes REQUEST_ERROR {\"templateError\": …}")
    func templateError() throws {
        let behaviour = ProviderBehaviour(
            reply: .template(try Template("{{data.numA + data.numB}}")), delay: ProviderDelay(milliseconds: 5))
        let expected: JSONValue = [
            "templateError": "data has no member 'numB' at column 20 of \"{{data.numA + data.numB}}\"",
        ]
        #expect(plan(behaviour, ["numA": 4]) == .error(expected, after: .milliseconds(5)))
    }

    @Test("reject, error, never accept and never respond")
    func terminalKinds() {
        #expect(plan(ProviderBehaviour(reply: .reject), 1) == .reject)
        #expect(plan(ProviderBehaviour(reply: .error("nope")), 1) == .error("nope", after: .zero))
        #expect(plan(ProviderBehaviour(reply: .neverAccept), 1) == .neverAccept)
        #expect(plan(ProviderBehaviour(reply: .neverRespond), 1) == .acceptThenNeverRespond)
        #expect(ProviderPlan.reject.accepts == false)
        #expect(ProviderPlan.neverAccept.accepts == false)
        #expect(ProviderPlan.acceptThenNeverRespond.accepts)
        #expect(ProviderPlan.error(1, after: .seconds(1)).delay == .seconds(1))
    }

    @Test("a fixed delay delays the answer; rates of 1 always strike")
    func delayAndCertainRates() {
        let delayed = ProviderBehaviour(reply: .echo, delay: ProviderDelay(milliseconds: 250))
        #expect(plan(delayed, 1) == .respond(1, after: .milliseconds(250)))
        let alwaysReject = ProviderBehaviour(reply: .echo, rejectRate: 1)
        #expect((1...100).allSatisfy { plan(alwaysReject, 1, seed: $0) == .reject })
        let alwaysError = ProviderBehaviour(
            reply: .echo, delay: ProviderDelay(milliseconds: 3), errorRate: 1, rateError: ["code": 503])
        #expect((1...100).allSatisfy { plan(alwaysError, 1, seed: $0) == .error(["code": 503], after: .milliseconds(3)) })
        let defaultError = ProviderBehaviour(reply: .fixed(1), errorRate: 1)
        #expect(plan(defaultError, nil) == .error("injected error (errorRate)", after: .zero))
    }

    @Test("the reject rate applies before never-accept; the error rate does not apply to never-respond")
    func rateOrder() {
        let rejectOrHang = ProviderBehaviour(reply: .neverAccept, rejectRate: 1)
        #expect(plan(rejectOrHang, 1) == .reject)
        let hang = ProviderBehaviour(reply: .neverRespond, errorRate: 1)
        #expect(plan(hang, 1) == .acceptThenNeverRespond)
    }

    @Test("fixed behaviours draw no random numbers")
    func noDraws() {
        var generator = ForbiddenGenerator()
        let behaviours = [
            ProviderBehaviour(reply: .echo), ProviderBehaviour(reply: .reject),
            ProviderBehaviour(reply: .fixed(1), delay: ProviderDelay(milliseconds: 9)),
        ]
        for behaviour in behaviours { _ = behaviour.plan(for: Fixtures.request(1), at: Fixtures.now, using: &generator) }
        #expect(generator.draws == 0)
    }

    @Test("rates are clamped to 0…1 and validated")
    func rateValidation() {
        #expect(ProviderBehaviour(reply: .echo, rejectRate: 7).rejectRate == 1)
        #expect(ProviderBehaviour(reply: .echo, errorRate: -1).errorRate == 0)
        #expect(ProviderBehaviour(reply: .echo, errorRate: .nan).errorRate == 0)
        #expect(ProviderBehaviour.isValidRate(0) && ProviderBehaviour.isValidRate(1) && ProviderBehaviour.isValidRate(0.25))
        #expect(!ProviderBehaviour.isValidRate(1.01) && !ProviderBehaviour.isValidRate(-0.1) && !ProviderBehaviour.isValidRate(.nan))
    }

    @Test("summaries for lists and logs")
    func summaries() throws {
        let behaviour = ProviderBehaviour(
            reply: .template(try Template("{{data.numA + data.numB}}")), delay: ProviderDelay(milliseconds: 10...50),
            rejectRate: 0.5, errorRate: 0.125)
        #expect(behaviour.summary == "template {{data.numA + data.numB}}, delay 10..50 ms, reject 50%, error 12.5%")
        #expect(ProviderBehaviour(reply: .neverRespond).summary == "accept, never respond")
        #expect(ProviderBehaviour(reply: .fixed(["ok": true])).summary == #"reply {"ok":true}"#)
    }
}

@Suite("Provider delays")
struct ProviderDelayTests {
    @Test("MS and MS..MS parse; bad text explains itself", arguments: [
        ("10", 10...10), ("10..50", 10...50), (" 5 .. 6 ", 5...6), ("0", 0...0), ("7..7", 7...7),
    ])
    func parsing(text: String, expected: ClosedRange<Int>) throws {
        #expect(try ProviderDelay(parsing: text).milliseconds == expected)
    }

    @Test("invalid delays", arguments: [
        ("x", "expected MS or MS..MS (whole milliseconds), got \"x\""),
        ("10..", "expected MS or MS..MS (whole milliseconds), got \"10..\""),
        ("1.5", "expected MS or MS..MS (whole milliseconds), got \"1.5\""),
        ("50..10", "the range \"50..10\" is empty (50 > 10)"),
        ("-5", "\"-5\" is outside 0..3600000 ms"),
        ("1..3600001", "\"1..3600001\" is outside 0..3600000 ms"),
    ])
    func invalid(text: String, message: String) {
        #expect {
            try ProviderDelay(parsing: text)
        } throws: { error in
            (error as? ProviderDelay.ParseError)?.message == message
        }
    }

    @Test("descriptions read back")
    func roundTrip() throws {
        for text in ["10", "10..50"] { #expect(try ProviderDelay(parsing: text).description == text) }
    }
}
