import CallRecording
import DeepstreamProtocol
import Testing

private func json(_ text: String) throws -> JSONValue { try JSONValue(parsing: text) }

private func diff(_ old: String, _ new: String, ignoring: [String] = []) throws -> [String] {
    let patterns = try ignoring.map { try JSONPathPattern(parsing: $0) }
    return JSONDiff.differences(from: try json(old), to: try json(new), ignoring: patterns).map(\.description)
}

@Suite("JSON structural diff")
struct JSONDiffTests {
    @Test("Equal values give no differences, whatever the member order and number spelling")
    func equalValues() throws {
        #expect(try diff(#"{"a":1,"b":[1,2,{"c":null}]}"#, #"{"b":[1,2,{"c":null}],"a":1}"#).isEmpty)
        #expect(try diff(#"{"x":1.50,"y":-0,"z":1e2,"w":0.0010}"#, #"{"x":1.5,"y":0,"z":100,"w":1E-3}"#).isEmpty)
        #expect(JSONDiff.equal(try json("12345678901234567890"), try json("12345678901234567890")))
        #expect(!JSONDiff.equal(try json("12345678901234567890"), try json("12345678901234567891")))
    }

    @Test("Nested objects: added, removed and changed members at their full paths, in document order")
    func nestedObjects() throws {
        let old = #"{"user":{"name":"ann","age":30,"tags":{"vip":true}},"at":1}"#
        let new = #"{"user":{"name":"bob","tags":{"vip":true,"new":1}},"at":1,"extra":"x"}"#
        #expect(try diff(old, new) == [
            #"~ $.user.name: "ann" -> "bob""#,
            "- $.user.age: 30",
            "+ $.user.tags.new: 1",
            #"+ $.extra: "x""#,
        ])
    }

    @Test("Arrays of different length: common elements compared, extra ones added or removed")
    func arraysOfDifferentLength() throws {
        #expect(try diff("[1,2,3]", "[1,5]") == ["~ $[1]: 2 -> 5", "- $[2]: 3"])
        #expect(try diff(#"{"items":[{"id":1}]}"#, #"{"items":[{"id":2},{"id":3,"n":[]}]}"#) == [
            "~ $.items[0].id: 1 -> 2",
            #"+ $.items[1]: {"id":3,"n":[]}"#,
        ])
        #expect(try diff("[]", "[[]]") == ["+ $[0]: []"])
    }

    @Test("A type change is one change at that path, not a diff of the insides")
    func typeChanges() throws {
        #expect(try diff(#"{"a":{"b":1}}"#, #"{"a":[1]}"#) == [#"~ $.a: {"b":1} -> [1]"#])
        #expect(try diff(#"{"a":1}"#, #"{"a":"1"}"#) == [#"~ $.a: 1 -> "1""#])
        #expect(try diff(#"{"a":null}"#, #"{"a":false}"#) == ["~ $.a: null -> false"])
        #expect(try diff("1", "[1]") == ["~ $: 1 -> [1]"])
    }

    @Test("Member names that are not plain are quoted in paths")
    func quotedNames() throws {
        #expect(try diff(#"{"a b":1,"q\"":2}"#, #"{"a b":2,"q\"":2}"#) == [#"~ $["a b"]: 1 -> 2"#])
        #expect(try diff(#"{"1x":1}"#, "{}") == [#"- $["1x"]: 1"#])
    }

    @Test("--ignore leaves out a member, a wildcard over array elements, and everything below a matched path")
    func ignoreWithWildcards() throws {
        let old = #"{"at":1,"items":[{"id":"a","v":1},{"id":"b","v":2}],"meta":{"trace":{"x":1}}}"#
        let new = #"{"at":2,"items":[{"id":"c","v":1},{"id":"d","v":3},{"id":"e","v":4}],"meta":{"trace":{"x":2,"y":3}}}"#
        #expect(try diff(old, new, ignoring: ["$.at", "$.items[*].id", "$.meta.trace"]) == [
            "~ $.items[1].v: 2 -> 3",
            #"+ $.items[2]: {"id":"e","v":4}"#,
        ])
        // An ignored element index drops the added element too.
        #expect(try diff(old, new, ignoring: ["$.at", "$.items[*]", "$.meta"]).isEmpty)
        // `.*` matches any member; `..` any depth.
        #expect(try diff(old, new, ignoring: ["$.*"]).isEmpty)
        #expect(try diff(old, new, ignoring: ["$..id", "$..v", "$..x", "$..y", "$.at"]) == [
            #"+ $.items[2]: {"id":"e","v":4}"#,
        ])
        #expect(try diff(#"{"a":[[1,2],[3]]}"#, #"{"a":[[1,9],[3,4]]}"#, ignoring: ["$.a[0][1]"]) == ["+ $.a[1][1]: 4"])
        #expect(try diff(#"{"a b":1,"c":1}"#, #"{"a b":2,"c":1}"#, ignoring: [#"$["a b"]"#]).isEmpty)
    }

    @Test("Patterns: parsing and matching", arguments: [
        ("$", "$", true), ("$.a", "$.a", true), ("$.a", "$.a.b", false), ("$.a.b", "$.a", false),
        ("$.items[*].id", "$.items[3].id", true), ("$.items[*].id", "$.items.id", false),
        ("$.items[2]", "$.items[2]", true), ("$.items[2]", "$.items[1]", false),
        ("$..id", "$.id", true), ("$..id", "$.a[1].b.id", true), ("$..id", "$.a.idx", false),
        ("$.a..[0]", "$.a.b.c[0]", true), ("$.*.b", "$.x.b", true), ("$.*.b", "$[0].b", true),
    ])
    func patternMatching(pattern: String, path: String, matches: Bool) throws {
        let parsed = try JSONPathPattern(parsing: pattern)
        #expect(parsed.matches(try Self.path(path)) == matches)
    }

    @Test("Bad patterns are refused with the reason", arguments: [
        ("at", "must start with $"), ("$.", "empty name"), ("$[x]", "expected an index"), ("$[1", "missing ']'"),
        (#"$["a"#, "unterminated"), ("$..", "'..' must be followed"), ("$a", "unexpected 'a'"),
    ])
    func badPatterns(pattern: String, problem: String) {
        #expect(throws: JSONPathPatternError.self) { try JSONPathPattern(parsing: pattern) }
        do { _ = try JSONPathPattern(parsing: pattern) } catch {
            #expect(error.description.contains(problem), "\(error)")
        }
    }

    /// A concrete path from its text (test helper: `.name` and `[n]` only).
    private static func path(_ text: String) throws -> JSONPath {
        let pattern = try JSONPathPattern(parsing: text)
        return JSONPath(components: pattern.steps.map { step in
            switch step {
            case .key(let key): .key(key)
            case .index(let index): .index(index)
            case .any, .descendants: .key("?")
            }
        })
    }
}
