import DeepstreamProtocol
import MockProviders
import Testing

@Suite("Templates")
struct TemplateTests {
    @Test("a whole-string expression gives a JSON value of any type")
    func wholeValue() throws {
        let data: JSONValue = ["user": ["id": 7, "tags": ["a"]], "flag": false]
        #expect(try Template("{{data.user}}").render(in: Fixtures.context(data)) == ["id": 7, "tags": ["a"]])
        #expect(try Template("{{data.flag}}").render(in: Fixtures.context(data)) == false)
        #expect(try Template("{{ data.user.id * 2 }}").render(in: Fixtures.context(data)) == 14)
    }

    @Test("an expression inside a longer string is interpolated as text")
    func interpolation() throws {
        let data: JSONValue = ["a": 1, "b": 2, "s": "x", "o": ["k": [1, 2]]]
        let context = Fixtures.context(data)
        #expect(try Template("sum={{data.a + data.b}}!").render(in: context) == "sum=3!")
        #expect(try Template("{{data.s}}{{data.s}}").render(in: context) == "xx")
        #expect(try Template("o={{data.o}}").render(in: context) == "o={\"k\":[1,2]}")
        #expect(try Template(" {{data.s}}").render(in: context) == " x")
        #expect(try Template("{{name}} by {{requestor.name}}").render(in: context) == "add-two-numbers by alice")
    }

    @Test("objects and arrays are templated member by member; keys are literal")
    func nested() throws {
        let source: JSONValue = [
            "sum": "{{data.a + data.b}}", "{{keys}}": "stay", "list": ["{{data.a}}", 2, "id {{correlationId}}"],
            "fixed": ["n": 1],
        ]
        let template = try Template(source)
        #expect(template.hasExpressions)
        let result = try template.render(in: Fixtures.context(["a": 1, "b": 2]))
        #expect(result == ["sum": 3, "{{keys}}": "stay", "list": [1, 2, "id mh2x1-abc"], "fixed": ["n": 1]])
        #expect(result.jsonText == #"{"sum":3,"{{keys}}":"stay","list":[1,2,"id mh2x1-abc"],"fixed":{"n":1}}"#)
    }

    @Test("literal braces: a quoted '{{' and strings without expressions pass through")
    func literals() throws {
        let context = Fixtures.context(nil)
        #expect(try Template("{{'{{'}}not{{'}}'}}").render(in: context) == "{{not}}")
        #expect(try Template("a { b } c").render(in: context) == "a { b } c")
        let plain = try Template(["x": [1, "y", nil]])
        #expect(!plain.hasExpressions)
        #expect(try plain.render(in: context) == ["x": [1, "y", nil]])
    }

    @Test("errors inside nested values say where: $.path")
    func errorLocation() throws {
        do {
            _ = try Template(["result": [1, "{{data +}}"]])
            Issue.record("expected a syntax error")
        } catch {
            #expect(error.location == "$.result[1]")
            #expect(error.description == "expected a value, found end of expression at column 9 of \"{{data +}}\" (at $.result[1])")
        }
    }

    @Test("error descriptions stay on one line")
    func oneLine() throws {
        do {
            _ = try Template("line one\n\t{{data +}} \"q\" \u{1}")
            Issue.record("expected a syntax error")
        } catch {
            #expect(!error.description.contains("\n"))
            #expect(error.description.hasSuffix(#"of "line one\n\t{{data +}} \"q\" \u{1}""#))
        }
    }

    @Test("templates compare by source")
    func equality() throws {
        #expect(try Template("{{data}}") == Template("{{data}}"))
        #expect(try Template("{{data}}") != Template("{{ data }}"))
    }
}
