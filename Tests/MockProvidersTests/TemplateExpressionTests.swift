import DeepstreamProtocol
import MockProviders
import Testing

@Suite("Template expressions")
struct TemplateExpressionTests {
    @Test("the seed example: {{data.numA + data.numB}} gives the number 11")
    func seedExample() throws {
        let template = try Template("{{data.numA + data.numB}}")
        let result = try template.render(in: Fixtures.context(["numA": 4, "numB": 7]))
        #expect(result == .int(11))
        #expect(result.jsonText == "11")
    }

    @Test(
        "precedence, associativity and parentheses",
        arguments: [
            ("1 + 2 * 3", "7"), ("(1 + 2) * 3", "9"), ("10 - 4 - 3", "3"), ("2 * 3 + 4 * 5", "26"),
            ("8 / 2 / 2", "2"), ("7 / 2", "3.5"), ("-2 * 3", "-6"), ("-(2 + 3)", "-5"), ("- -4", "4"),
            ("1.5 + 1", "2.5"), ("((((1))))", "1"), ("2 * (3 + 4) - 10 / 5", "12"), ("1e3 + 1", "1001"),
            ("0.1 + 0.2", "0.30000000000000004"), ("3 - 5", "-2"),
        ])
    func arithmetic(expression: String, expected: String) throws {
        #expect(try Fixtures.evaluate(expression).jsonText == expected)
    }

    @Test("integers stay exact beyond 2^53 and fall back to Double on overflow")
    func integerExactness() throws {
        #expect(try Fixtures.evaluate("data + 0", data: 9_007_199_254_740_993).jsonText == "9007199254740993")
        let overflow = try Fixtures.evaluate("data * 10", data: .int(Int.max))
        #expect(overflow.doubleValue == Double(Int.max) * 10)
    }

    @Test(
        "+ concatenates when either side is a string, left to right",
        arguments: [
            ("'a' + 1 + 2", "a12"), ("1 + 2 + 'a'", "3a"), ("\"x\" + 'y'", "xy"), ("'n=' + data.numA", "n=4"),
            ("'v' + data.items", "v[1,\"two\",{\"three\":3}]"), ("'b' + true + null", "btruenull"),
            ("'it\\'s'", "it's"),
        ])
    func concatenation(expression: String, expected: String) throws {
        let data: JSONValue = ["numA": 4, "items": [1, "two", ["three": 3]]]
        #expect(try Fixtures.evaluate(expression, data: data) == .string(expected))
    }

    @Test("paths into the request, the requestor and the clock")
    func paths() throws {
        let data: JSONValue = ["numA": 4, "items": [10, ["deep": [true, "x"]]], "odd key": "yes"]
        #expect(try Fixtures.evaluate("data", data: data) == data)
        #expect(try Fixtures.evaluate("data.items[0]", data: data) == 10)
        #expect(try Fixtures.evaluate("data.items[1].deep[1]", data: data) == "x")
        #expect(try Fixtures.evaluate("data[\"odd key\"]", data: data) == "yes")
        #expect(try Fixtures.evaluate("data['items'][0] * 2", data: data) == 20)
        #expect(try Fixtures.evaluate("name") == "add-two-numbers")
        #expect(try Fixtures.evaluate("correlationId") == "mh2x1-abc")
        #expect(try Fixtures.evaluate("requestor.name") == "alice")
        #expect(try Fixtures.evaluate("requestor.data.id + 1") == 43)
        #expect(try Fixtures.evaluate("requestor.data.roles[1]") == "ops")
        #expect(try Fixtures.evaluate("requestor") == ["name": "alice", "data": ["id": 42, "roles": ["admin", "ops"]]])
        #expect(try Fixtures.evaluate("now") == .int(1_764_088_200_123))
        #expect(try Fixtures.evaluate("true") == true)
        #expect(try Fixtures.evaluate("null") == .null)
        #expect(try Fixtures.evaluate("data", data: [1, 2]) == [1, 2])
    }

    @Test(
        "syntax errors name the problem and the column in the template string",
        arguments: [
            ("{{data.numA + }}", "expected a value, found end of expression", 15),
            ("{{data.numA +* 2}}", "expected a value, found *", 14),
            ("{{foo + 1}}", "unknown name 'foo' (a path starts with one of data, name, correlationId, requestor, now)", 3),
            ("{{(1 + 2}}", "expected ')' to close the '(' at column 3, found end of expression", 9),
            ("{{data.}}", "expected a member name after '.', found end of expression", 8),
            ("{{data.items[x]}}", "expected an index or a quoted member name after '[', found x", 14),
            ("{{data.items[1.5]}}", "an index must be a non-negative integer, found 1.5", 14),
            ("{{data.items[0}}", "expected ']' to close the '[' at column 13, found end of expression", 15),
            ("{{1 @ 2}}", "unexpected character '@'", 5),
            ("{{}}", "empty expression", 3),
            ("{{   }}", "empty expression", 6),
            ("{{1 2}}", "unexpected 2 after a complete expression", 5),
            ("{{12abc}}", "unexpected character 'a' after a number", 5),
            ("{{1e}}", "malformed number exponent", 5),
            ("{{'a\\q'}}", "unknown escape '\\q' in a string", 5),
            ("sum: {{data.numA", "'{{' is never closed by '}}'", 6),
            ("{{'}}", "'{{' is never closed by '}}'", 1),
            ("ok {{1}} then {{data..x}}", "expected a member name after '.', found .", 22),
            ("{{'it''s'}}", "unexpected 's' after a complete expression", 7),
        ])
    func syntaxErrors(template: String, message: String, column: Int) throws {
        let error = try #require(Fixtures.syntaxError(template))
        #expect(error.kind == .syntax)
        #expect(error.message == message)
        #expect(error.column == column)
        #expect(error.source == template)
    }

    @Test("a syntax error describes itself in one line with position")
    func syntaxErrorDescription() throws {
        let error = try #require(Fixtures.syntaxError("{{data.numA +* 2}}"))
        #expect(error.description == "expected a value, found * at column 14 of \"{{data.numA +* 2}}\"")
    }

    @Test("nesting is bounded, not a stack overflow")
    func nestingBound() throws {
        let deep = String(repeating: "(", count: 200) + "1" + String(repeating: ")", count: 200)
        let error = try #require(Fixtures.syntaxError("{{\(deep)}}"))
        #expect(error.message == "expression nested deeper than 64 levels")
        let fine = String(repeating: "(", count: 60) + "1" + String(repeating: ")", count: 60)
        #expect(try Fixtures.evaluate(fine) == 1)
    }

    @Test(
        "evaluation errors name the problem and the column",
        arguments: [
            ("{{data.numA + data.numC}}", "data has no member 'numC'", 20),
            ("{{data.numA.x}}", "data.numA is a number, not an object, so it has no member 'x'", 13),
            ("{{data.items[5]}}", "index [5] is out of range: data.items has 2 elements", 14),
            ("{{data.numA[0]}}", "data.numA is a number, not an array, so it has no index [0]", 13),
            ("{{data.numA / 0}}", "division by zero", 13),
            ("{{data.numA / (1 - 1.0)}}", "division by zero", 13),
            ("{{true + 1}}", "cannot add a boolean and a number", 8),
            ("{{data.items - 1}}", "cannot apply '-' to an array and a number", 14),
            ("{{'a' * 2}}", "cannot apply '*' to a string and a number", 7),
            ("{{-'a'}}", "unary '-' needs a number, got a string", 3),
            ("{{requestor.data.missing}}", "requestor.data has no member 'missing'", 18),
            ("{{name.first}}", "name is a string, not an object, so it has no member 'first'", 8),
            ("{{1e308 * 10}}", "the result inf is not a finite number", 9),
        ])
    func evaluationErrors(template: String, message: String, column: Int) throws {
        let error = try #require(try Fixtures.evaluationError(template, data: ["numA": 4, "items": [1, 2]]))
        #expect(error.kind == .evaluation)
        #expect(error.message == message)
        #expect(error.column == column)
    }

    @Test("undefined data and absent requestor details are evaluation errors")
    func undefinedValues() throws {
        let noPayload = try #require(try Fixtures.evaluationError("{{data.numA}}", data: nil))
        #expect(noPayload.message == "data is undefined (the request has no payload)")
        #expect(noPayload.column == 3)

        let template = try Template("{{requestor.name}}")
        let anonymous = TemplateContext(
            request: ProviderRequest(name: "n", correlationId: "c", data: nil), now: Fixtures.now)
        #expect {
            try template.render(in: anonymous)
        } throws: { error in
            (error as? TemplateError)?.message == "requestor.name is undefined (the server sent no requestor name)"
        }
    }
}
