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
    let compiled: [Step]
    /// The path as written.
    public let path: String
    /// The path's length in characters (deepstream's specificity measure).
    public let length: Int

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
        self.length = path.count
        compiled = Self.compile(parts)
    }

    private static func isVariableCharacter(_ c: Unicode.Scalar) -> Bool {
        (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9")
    }

    static func isLineBreak(_ c: Unicode.Scalar) -> Bool {
        c == "\n" || c == "\r" || c == "\u{2028}" || c == "\u{2029}"
    }

    /// One step of the matcher: a variable is "one character but /, then any number of them".
    enum Step: Hashable, Sendable {
        case literal(Unicode.Scalar)
        case anyButLineBreak
        case anyButSlash
        case manyButLineBreak
        case manyButSlash

        func accepts(_ c: Unicode.Scalar) -> Bool {
            switch self {
            case .literal(let l): c == l
            case .anyButLineBreak, .manyButLineBreak: !PathPattern.isLineBreak(c)
            case .anyButSlash, .manyButSlash: c != "/"
            }
        }

        var repeats: Bool { self == .manyButLineBreak || self == .manyButSlash }
    }

    /// The matcher's steps, compiled once.
    static func compile(_ parts: [Part]) -> [Step] {
        parts.flatMap { part -> [Step] in
            switch part {
            case .literal(let l): [.literal(l)]
            case .anyCharacter: [.anyButLineBreak]
            case .anySequence: [.manyButLineBreak]
            case .variable: [.anyButSlash, .manyButSlash]
            }
        }
    }

    /// Whether `name` matches (linear in `parts.count × name length`: a state-set simulation).
    public func matches(_ name: String) -> Bool {
        Self.matches(Array(name.unicodeScalars), steps: compiled)
    }

    static func matches(_ scalars: [Unicode.Scalar], steps: [Step]) -> Bool {
        // Fast paths for the common shapes: "*" and a literal name.
        if steps.count == 1, steps[0] == .manyButLineBreak { return !scalars.contains(where: isLineBreak) }
        var states = [Bool](repeating: false, count: steps.count + 1)
        var next = states
        states[0] = true
        close(&states, steps)
        for c in scalars {
            for index in next.indices { next[index] = false }
            var any = false
            for index in steps.indices where states[index] && steps[index].accepts(c) {
                next[steps[index].repeats ? index : index + 1] = true
                any = true
            }
            guard any else { return false }
            close(&next, steps)
            swap(&states, &next)
        }
        return states[steps.count]
    }

    private static func close(_ states: inout [Bool], _ steps: [Step]) {
        for index in steps.indices where states[index] && steps[index].repeats { states[index + 1] = true }
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
