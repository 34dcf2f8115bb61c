/// A path pattern for `--ignore`: a ``JSONPath`` that may hold wildcards.
///
/// Syntax: `$` then any of `.name`, `["any name"]`, `[3]`, `.*` / `[*]` (any one member or element),
/// and `..name` / `..*` (that step at any depth below). `$.at`, `$.items[*].id`, `$..timestamp`.
/// A pattern matches a path exactly; a matched path is left out together with everything below it.
package struct JSONPathPattern: Hashable, Sendable, CustomStringConvertible {
    /// One step of a pattern.
    package enum Step: Hashable, Sendable {
        /// A member with this name.
        case key(String)
        /// The element at this index.
        case index(Int)
        /// Any one member or element.
        case any
        /// Zero or more steps of any kind (`..`).
        case descendants
    }

    /// The steps after `$`.
    package var steps: [Step]
    /// The text the pattern was parsed from.
    package let text: String

    /// Parses a pattern; the error names the position and the problem.
    package init(parsing text: String) throws(JSONPathPatternError) {
        self.text = text
        steps = try Self.parse(text)
    }

    /// The pattern text.
    package var description: String { text }

    /// Whether the pattern matches `path` exactly.
    package func matches(_ path: JSONPath) -> Bool {
        Self.matches(steps[...], path.components[...])
    }

    private static func matches(_ steps: ArraySlice<Step>, _ components: ArraySlice<JSONPath.Component>) -> Bool {
        guard let step = steps.first else { return components.isEmpty }
        let rest = steps.dropFirst()
        if step == .descendants {
            // `..x`: x may match at this level or any level below.
            var remaining = components
            while true {
                if matches(rest, remaining) { return true }
                guard !remaining.isEmpty else { return false }
                remaining = remaining.dropFirst()
            }
        }
        guard let component = components.first else { return false }
        switch (step, component) {
        case (.any, _): break
        case (.key(let want), .key(let have)) where want == have: break
        case (.index(let want), .index(let have)) where want == have: break
        default: return false
        }
        return matches(rest, components.dropFirst())
    }

    private static func parse(_ text: String) throws(JSONPathPatternError) -> [Step] {
        let characters = Array(text)
        var position = 0
        func fail(_ problem: String) -> JSONPathPatternError { JSONPathPatternError(pattern: text, problem: problem) }
        guard characters.first == "$" else { throw fail("must start with $") }
        position = 1
        var steps: [Step] = []
        func name() -> String {
            var name = ""
            while position < characters.count, characters[position] != ".", characters[position] != "[" {
                name.append(characters[position])
                position += 1
            }
            return name
        }
        while position < characters.count {
            switch characters[position] {
            case ".":
                position += 1
                if position < characters.count, characters[position] == "." {
                    position += 1
                    steps.append(.descendants)
                    guard position < characters.count else { throw fail("'..' must be followed by a step") }
                    if position < characters.count, characters[position] == "[" { continue }
                }
                let key = name()
                guard !key.isEmpty else { throw fail("empty name after '.' at \(position)") }
                steps.append(key == "*" ? .any : .key(key))
            case "[":
                position += 1
                if position < characters.count, characters[position] == "\"" {
                    position += 1
                    var key = ""
                    var closed = false
                    while position < characters.count {
                        let character = characters[position]
                        position += 1
                        if character == "\\", position < characters.count {
                            key.append(characters[position])
                            position += 1
                        } else if character == "\"" {
                            closed = true
                            break
                        } else {
                            key.append(character)
                        }
                    }
                    guard closed else { throw fail("unterminated quoted name") }
                    steps.append(.key(key))
                } else {
                    var inside = ""
                    while position < characters.count, characters[position] != "]" {
                        inside.append(characters[position])
                        position += 1
                    }
                    if inside == "*" {
                        steps.append(.any)
                    } else if let index = Int(inside), index >= 0 {
                        steps.append(.index(index))
                    } else {
                        throw fail("expected an index, * or a quoted name in [\(inside)]")
                    }
                }
                guard position < characters.count, characters[position] == "]" else { throw fail("missing ']'") }
                position += 1
            default:
                throw fail("unexpected '\(characters[position])' at \(position); steps are .name, [\"name\"], [n], .*, [*], ..name")
            }
        }
        return steps
    }
}

/// Why an `--ignore` pattern could not be parsed.
package struct JSONPathPatternError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The pattern as given.
    package var pattern: String
    /// What is wrong with it.
    package var problem: String
    /// `bad path "…": problem`.
    package var description: String { "bad path \"\(pattern)\": \(problem)" }
}
