/// A Valve path (`payments.*`, `user/$userId`) matched against an RPC name the way deepstream's
/// compiled regular expression does: `*` is `.*`, `$name` is `([^/]+)`, `.` is any character but
/// a line break, everything else is literal; the whole name must match. Other regular expression
/// syntax, which deepstream would pass on to `RegExp`, is refused when the file is loaded.
public struct PathPattern: Hashable, Sendable {
    enum Part: Hashable, Sendable {
        case literal(Unicode.Scalar)
        case anyCharacter
        case anySequence
        case variable(String)
    }

    let parts: [Part]
    /// The path as written.
    public let path: String

    /// The path variables in order (`$userId`, …).
    public var variables: [String] {
        parts.compactMap { if case .variable(let name) = $0 { name } else { nil } }
    }

    /// Why a path is refused.
    public struct Failure: Error, Hashable, Sendable {
        /// The explanation.
        public let message: String
    }

    /// Compiles a path.
    public init(_ path: String) throws(Failure) {
        self.path = path
        guard !path.isEmpty else { throw Failure(message: "path can't be empty") }
        guard !path.hasPrefix("/") else { throw Failure(message: "path can't start with /") }
        let scalars = Array(path.unicodeScalars)
        var parts: [Part] = []
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            switch c {
            case "*": parts.append(.anySequence)
            case ".": parts.append(.anyCharacter)
            case "$":
                var j = i + 1
                while j < scalars.count, Self.isVariableCharacter(scalars[j]) { j += 1 }
                guard j > i + 1 else {
                    let next = i + 1 < scalars.count ? String(scalars[i + 1]) : ""
                    throw Failure(message: "invalid variable name $\(next)")
                }
                parts.append(.variable(String(String.UnicodeScalarView(scalars[i..<j]))))
                i = j
                continue
            case "+", "?", "(", ")", "[", "]", "{", "}", "|", "^", "\\":
                throw Failure(message: "\"\(c)\" would be regular expression syntax in deepstream; only * and $variables are supported")
            default: parts.append(.literal(c))
            }
            i += 1
        }
        self.parts = parts
    }

    private static func isVariableCharacter(_ c: Unicode.Scalar) -> Bool {
        (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9")
    }

    private static func isLineBreak(_ c: Unicode.Scalar) -> Bool {
        c == "\n" || c == "\r" || c == "\u{2028}" || c == "\u{2029}"
    }

    /// Whether `name` matches (linear in `parts.count × name length`: a state-set simulation).
    public func matches(_ name: String) -> Bool {
        // A variable is "one character but /, then any number of them".
        enum Step {
            case one((Unicode.Scalar) -> Bool)
            case many((Unicode.Scalar) -> Bool)
        }
        var steps: [Step] = []
        for part in parts {
            switch part {
            case .literal(let l): steps.append(.one { $0 == l })
            case .anyCharacter: steps.append(.one { !Self.isLineBreak($0) })
            case .anySequence: steps.append(.many { !Self.isLineBreak($0) })
            case .variable:
                steps.append(.one { $0 != "/" })
                steps.append(.many { $0 != "/" })
            }
        }
        func close(_ states: inout [Bool]) {
            for index in steps.indices where states[index] {
                if case .many = steps[index] { states[index + 1] = true }
            }
        }
        var states = [Bool](repeating: false, count: steps.count + 1)
        states[0] = true
        close(&states)
        for c in name.unicodeScalars {
            var next = [Bool](repeating: false, count: steps.count + 1)
            var any = false
            for index in steps.indices where states[index] {
                switch steps[index] {
                case .one(let test): if test(c) { next[index + 1] = true; any = true }
                case .many(let test): if test(c) { next[index] = true; any = true }
                }
            }
            guard any else { return false }
            close(&next)
            states = next
        }
        return states[steps.count]
    }

    /// The values of the path variables for a matching name, chosen as JavaScript's greedy
    /// backtracking regular expression would; `nil` if the name does not match.
    public func captures(_ name: String) -> [String]? {
        guard matches(name) else { return nil }
        if variables.isEmpty { return [] }
        let scalars = Array(name.unicodeScalars)
        var failed = Set<Int>()
        var captured: [String] = []
        func match(_ p: Int, _ s: Int) -> Bool {
            if p == parts.count { return s == scalars.count }
            let key = p * (scalars.count + 1) + s
            if failed.contains(key) { return false }
            var ok = false
            switch parts[p] {
            case .literal(let l): ok = s < scalars.count && scalars[s] == l && match(p + 1, s + 1)
            case .anyCharacter: ok = s < scalars.count && !Self.isLineBreak(scalars[s]) && match(p + 1, s + 1)
            case .anySequence, .variable:
                var end = s
                let isVariable = parts[p] != .anySequence
                while end < scalars.count, isVariable ? scalars[end] != "/" : !Self.isLineBreak(scalars[end]) { end += 1 }
                var candidate = end
                while candidate >= (isVariable ? s + 1 : s) {
                    if match(p + 1, candidate) {
                        if isVariable { captured.insert(String(String.UnicodeScalarView(scalars[s..<candidate])), at: 0) }
                        ok = true
                        break
                    }
                    candidate -= 1
                }
            }
            if !ok { failed.insert(key) }
            return ok
        }
        return match(0, 0) ? captured : nil
    }
}
