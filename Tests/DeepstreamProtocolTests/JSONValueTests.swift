import Testing
@testable import DeepstreamProtocol

@Suite struct JSONValueTests {
    @Test(arguments: [
        "null", "true", "false", "0", "-0", "12345678901234567890123", "-1.5e-300", "0.1", "1E+2",
        #""""#, #""héllo wörld ✓ 𝄞 日本""#, #""a\"b\\c\nd\te\u0001""#, "[]", "{}", "[1,[2,[3,{}]]]",
        #"{"b":1,"a":2,"c":{"z":null,"y":[true,false]}}"#,
    ])
    func compactTextRoundTripsExactly(text: String) throws {
        let value = try JSONValue(parsing: text)
        #expect(value.jsonText == text)
        #expect(try JSONValue(parsing: value.jsonText) == value)
    }

    @Test func largeIntegersAndFloatsKeepTheirDigits() throws {
        let value = try JSONValue(parsing: "[9007199254740993, 3.141592653589793238462643383279, 1e400]")
        #expect(value.jsonText == "[9007199254740993,3.141592653589793238462643383279,1e400]")
    }

    @Test func escapesAreDecodedAndReencodedAsJavaScriptDoes() throws {
        let value = try JSONValue(parsing: #""\u00e9\/\ud83d\ude00\u001f""#)
        #expect(value == .string("é/😀\u{1F}"))
        #expect(value.jsonText == #""é/😀\u001f""#)
    }

    @Test func loneSurrogateBecomesReplacementCharacter() throws {
        #expect(try JSONValue(parsing: #""\ud800x""#) == .string("\u{FFFD}x"))
    }

    @Test func objectsKeepOrderAndLastDuplicateWins() throws {
        let value = try JSONValue(parsing: #"{"b":1,"a":2,"b":3}"#)
        #expect(value.jsonText == #"{"b":3,"a":2}"#)
    }

    @Test func absentIsDistinctFromNull() throws {
        let absent: JSONValue? = nil
        let null: JSONValue? = .null
        #expect(absent != null)
        #expect(null?.jsonText == "null")
    }

    @Test func prettyTextIndentsTwoSpaces() throws {
        let value: JSONValue = ["a": [1, 2], "b": [:], "c": "x"]
        #expect(value.prettyText == "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {},\n  \"c\": \"x\"\n}")
    }

    @Test(arguments: [
        ("", JSONParseError.Reason.unexpectedEnd, 1, 1),
        ("{\"a\":1,}", .unexpectedCharacter(UInt8(ascii: "}")), 1, 8),
        ("[1,\n 2,\n x]", .unexpectedCharacter(UInt8(ascii: "x")), 3, 2),
        ("01", .trailingCharacters, 1, 2),
        ("1.", .invalidNumber, 1, 3),
        ("-", .unexpectedEnd, 1, 2),
        ("\"a\nb\"", .controlCharacterInString, 1, 3),
        ("\"\\x\"", .invalidEscape, 1, 3),
        ("tru", .unexpectedEnd, 1, 4),
        ("[1] 2", .trailingCharacters, 1, 5),
    ])
    func errorsSayWhereTheTextBreaks(text: String, reason: JSONParseError.Reason, line: Int, column: Int) {
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: text) }
        do {
            _ = try JSONValue(parsing: text)
        } catch {
            #expect(error.reason == reason)
            #expect(error.line == line)
            #expect(error.column == column)
        }
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: deep) }
        let fine = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        #expect((try? JSONValue(parsing: fine)) != nil)
    }

    @Test func invalidUTF8IsRejected() {
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: [0x22, 0xff, 0xfe, 0x22]) }
    }

    @Test func numbersFromSwiftValues() {
        #expect(JSONValue.double(1.0).jsonText == "1")
        #expect(JSONValue.double(0.5).jsonText == "0.5")
        #expect(JSONValue.double(.infinity) == .null)
        #expect(JSONValue.int(11).intValue == 11)
        #expect(JSONNumber("1.5e3")?.doubleValue == 1500)
        #expect(JSONNumber("1.5.3") == nil)
    }
}
