import DeepstreamProtocol
import MockProviders
import Testing

@Suite("Providers files")
struct ProvidersFileTests {
    static let good = #"""
        {"providers": [
          {"name": "add-two-numbers", "template": "{{data.numA + data.numB}}"},
          {"name": "echo", "echo": true, "delay": "10..50"},
          {"name": "flaky", "reply": {"ok": true}, "rejectRate": 0.5},
          {"name": "fails", "error": "something went wrong", "description": "always fails"},
          {"name": "slow", "neverAccept": true},
          {"name": "hang", "neverRespond": true, "delay": 5},
          {"name": "no", "reject": true, "echo": false},
          {"name": "sometimes", "echo": true, "errorRate": 0.25, "rateError": {"code": 1}}
        ], "provideOnStart": true}
        """#

    @Test("a good file reads every kind and modifier")
    func goodFile() throws {
        let file = try ProvidersFile(parsing: Self.good, file: "providers.json")
        #expect(file.provideOnStart)
        #expect(file.providers.map(\.name) == ["add-two-numbers", "echo", "flaky", "fails", "slow", "hang", "no", "sometimes"])
        let behaviours = file.providers.map(\.behaviour)
        #expect(behaviours[0] == ProviderBehaviour(reply: .template(try Template("{{data.numA + data.numB}}"))))
        #expect(behaviours[1] == ProviderBehaviour(reply: .echo, delay: ProviderDelay(milliseconds: 10...50)))
        #expect(behaviours[2] == ProviderBehaviour(reply: .fixed(["ok": true]), rejectRate: 0.5))
        #expect(behaviours[3] == ProviderBehaviour(reply: .error("something went wrong")))
        #expect(file.providers[3].description == "always fails")
        #expect(behaviours[4] == ProviderBehaviour(reply: .neverAccept))
        #expect(behaviours[5] == ProviderBehaviour(reply: .neverRespond, delay: ProviderDelay(milliseconds: 5)))
        #expect(behaviours[6] == ProviderBehaviour(reply: .reject))
        #expect(behaviours[7] == ProviderBehaviour(reply: .echo, errorRate: 0.25, rateError: ["code": 1]))
        #expect(file.provider(named: "flaky")?.behaviour.rejectRate == 0.5)
        #expect(file.provider(named: "missing") == nil)
    }

    @Test("the seed example end to end: file → plan → 11")
    func seedThroughFile() throws {
        let file = try ProvidersFile(parsing: Self.good, file: "providers.json")
        var generator = SplitMix64(seed: 1)
        let plan = try #require(file.provider(named: "add-two-numbers")).behaviour.plan(
            for: ProviderRequest(name: "add-two-numbers", correlationId: "1", data: ["numA": 4, "numB": 7]),
            at: Fixtures.now, using: &generator)
        #expect(plan == .respond(11, after: .zero))
    }

    @Test("provideOnStart defaults to false; an empty list is allowed")
    func defaults() throws {
        let file = try ProvidersFile(parsing: #"{"providers": []}"#, file: "f")
        #expect(!file.provideOnStart)
        #expect(file.providers.isEmpty)
    }

    @Test("saving and reading back gives the same file")
    func roundTrip() throws {
        let file = try ProvidersFile(parsing: Self.good, file: "providers.json")
        let again = try ProvidersFile(parsing: file.jsonValue.prettyText, file: "saved.json")
        #expect(again == file)
    }

    @Test(
        "bad files give one line naming the file, the provider and the problem",
        arguments: [
            (#"{"providers": [}"#, #"p.json: invalid JSON: unexpected character '}' at line 1, column 16"#),
            (#"[1]"#, #"p.json: expected an object with "providers", got an array"#),
            (#"{}"#, #"p.json: missing "providers""#),
            (#"{"providers": {}}"#, #"p.json: "providers" must be an array"#),
            (#"{"providers": [], "provideOnstart": true}"#,
             #"p.json: unknown member "provideOnstart" (known: providers, provideOnStart, description)"#),
            (#"{"providers": [], "provideOnStart": "yes"}"#, #"p.json: provideOnStart: expected true or false, got a string"#),
            (#"{"providers": [42]}"#, #"p.json: providers[0]: expected an object, got a number"#),
            (#"{"providers": [{"echo": true}]}"#, #"p.json: providers[0]: missing "name""#),
            (#"{"providers": [{"name": 5, "echo": true}]}"#, #"p.json: providers[0]: "name" must be a string"#),
            (#"{"providers": [{"name": "", "echo": true}]}"#, #"p.json: providers[0] "": "name" must not be empty"#),
            (#"{"providers": [{"name": "a", "echo": true}, {"name": "b"}]}"#,
             #"p.json: providers[1] "b": no reply kind: give exactly one of echo, reply, template, reject, error, neverAccept, neverRespond"#),
            (#"{"providers": [{"name": "b", "echo": true, "reply": 1}]}"#,
             #"p.json: providers[0] "b": more than one reply kind (echo, reply): give exactly one of echo, reply, template, reject, error, neverAccept, neverRespond"#),
            (#"{"providers": [{"name": "b", "echo": "yes"}]}"#, #"p.json: providers[0] "b": echo: expected true or false, got a string"#),
            (#"{"providers": [{"name": "b", "echo": true, "dealy": 5}]}"#,
             #"p.json: providers[0] "b": unknown member "dealy" (known: name, description, echo, reply, template, reject, error, neverAccept, neverRespond, delay, rejectRate, errorRate, rateError)"#),
            (#"{"providers": [{"name": "b", "echo": true, "delay": "50..10"}]}"#,
             #"p.json: providers[0] "b": delay: the range "50..10" is empty (50 > 10)"#),
            (#"{"providers": [{"name": "b", "echo": true, "delay": 1.5}]}"#,
             #"p.json: providers[0] "b": delay: expected whole milliseconds within 0..3600000, got 1.5"#),
            (#"{"providers": [{"name": "b", "echo": true, "delay": [1]}]}"#,
             #"p.json: providers[0] "b": delay: expected a number of milliseconds or "MS..MS", got an array"#),
            (#"{"providers": [{"name": "flaky", "echo": true, "rejectRate": 1.5}]}"#,
             #"p.json: providers[0] "flaky": rejectRate: expected a number within 0…1, got 1.5"#),
            (#"{"providers": [{"name": "flaky", "echo": true, "errorRate": "10%"}]}"#,
             #"p.json: providers[0] "flaky": errorRate: expected a number within 0…1, got "10%""#),
            (#"{"providers": [{"name": "add", "template": {"sum": "{{data.numA + + }}"}}]}"#,
             #"p.json: providers[0] "add": template: expected a value, found + at column 15 of "{{data.numA + + }}" (at $.sum)"#),
            (#"{"providers": [{"name": "a", "echo": true}, {"name": "a", "reject": true}]}"#,
             #"p.json: providers[1] "a": duplicate name (also providers[0])"#),
        ])
    func badFiles(text: String, expected: String) {
        #expect {
            try ProvidersFile(parsing: text, file: "p.json")
        } throws: { error in
            let description = (error as? ProvidersFileError)?.description
            if description != expected { Issue.record("got: \(description ?? "\(error)")") }
            return description == expected && !expected.contains("\n")
        }
    }

    @Test("the shipped Examples/providers.json loads and serves add-two-numbers")
    func exampleFile() throws {
        let path = String(#filePath.split(separator: "/Tests/", omittingEmptySubsequences: false)[0]) + "/Examples/providers.json"
        let text = try #require(readFile(path), "cannot read \(path)")
        let file = try ProvidersFile(parsing: text, file: path)
        #expect(file.provideOnStart)
        #expect(file.providers.count >= 5)
        var generator = SplitMix64(seed: 5)
        let add = try #require(file.provider(named: "add-two-numbers"))
        #expect(add.behaviour.plan(
            for: Fixtures.request(["numA": 4, "numB": 7]), at: Fixtures.now, using: &generator) == .respond(11, after: .zero))
        let greet = try #require(file.provider(named: "greet"))
        let greeting = greet.behaviour.plan(for: Fixtures.request(["name": "Ada"]), at: Fixtures.now, using: &generator)
        #expect(greeting == .respond(
            ["greeting": "Hello, Ada!", "servedBy": "dsconsole mock", "requestId": "mh2x1-abc", "at": .int(1_764_088_200_123)],
            after: .zero))
    }
}

@Suite("Providers file errors")
struct ProvidersFileErrorTests {
    @Test("names and members with line breaks still give one line")
    func oneLine() {
        #expect {
            try ProvidersFile(parsing: #"{"providers": [{"name": "a\nb", "echo": true, "x\ny": 1}]}"#, file: "p.json")
        } throws: { error in
            let text = (error as? ProvidersFileError)?.description ?? ""
            return !text.contains("\n") && text.hasPrefix(#"p.json: providers[0] "a\nb": unknown member "x\ny""#)
        }
    }
}
