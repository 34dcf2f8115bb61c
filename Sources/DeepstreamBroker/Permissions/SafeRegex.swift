/// A regular expression for rules, matched in time linear in the input (a state-set simulation of
/// an NFA, never backtracking), so no pattern can make evaluation explode.
///
/// Supported (JavaScript syntax): literals and escapes, `.`, classes `[a-z]`, `[^…]`, `\d \w \s \D \W
/// \S`, `\b \B`, anchors `^ $`, groups `( )` and `(?: )`, `|`, quantifiers `* + ? {n} {n,} {n,m}`
/// (a trailing `?` for laziness is accepted) and the flags `g i m s`. Not supported (refused when the
/// rule is loaded): back references, look-around, named groups, the `u`/`y` flags. A match reports
/// the leftmost match and, among those, the longest (JavaScript picks by alternative order); capture
/// groups are not reported.
public struct SafeRegex: Hashable, Sendable, CustomStringConvertible {
    /// Why a pattern is refused.
    public struct Failure: Error, Hashable, Sendable {
        /// The explanation.
        public let message: String
        init(_ message: String) { self.message = message }
    }

    /// Most NFA instructions a pattern may compile to.
    public static let maximumInstructions = 2000

    enum Instruction: Hashable, Sendable {
        case scalar(ScalarSet)
        case split(Int, Int)
        case jump(Int)
        case lineStart
        case lineEnd
        case wordBoundary(Bool)
        case match
    }

    /// A set of characters: ranges, class escapes, negation.
    struct ScalarSet: Hashable, Sendable {
        var ranges: [ClosedRange<UInt32>] = []
        var classes: [Character] = []
        var negated = false
        var any = false

        func contains(_ c: Unicode.Scalar, ignoringCase: Bool, dotAll: Bool) -> Bool {
            if any { return dotAll || !(c == "\n" || c == "\r" || c == "\u{2028}" || c == "\u{2029}") }
            var found = test(c.value)
            if !found && ignoringCase {
                for variant in [String(c).lowercased(), String(c).uppercased()] {
                    if let v = variant.unicodeScalars.first, variant.unicodeScalars.count == 1, test(v.value) {
                        found = true
                        break
                    }
                }
            }
            return found != negated
        }

        private func test(_ v: UInt32) -> Bool {
            if ranges.contains(where: { $0.contains(v) }) { return true }
            guard let scalar = Unicode.Scalar(v) else { return false }
            for kind in classes {
                switch kind {
                case "d": if SafeRegex.isDigit(scalar) { return true }
                case "D": if !SafeRegex.isDigit(scalar) { return true }
                case "w": if SafeRegex.isWord(scalar) { return true }
                case "W": if !SafeRegex.isWord(scalar) { return true }
                case "s": if scalar.properties.isWhitespace { return true }
                case "S": if !scalar.properties.isWhitespace { return true }
                default: break
                }
            }
            return false
        }
    }

    let program: [Instruction]
    /// The pattern as written.
    public let pattern: String
    /// The flags as written.
    public let flags: String
    let ignoreCase: Bool
    let multiline: Bool
    let dotAll: Bool
    /// Whether the `g` flag is set (`match` then returns every match).
    public let global: Bool

    /// Compiles `pattern` with JavaScript `flags`.
    public init(pattern: String, flags: String = "") throws(Failure) {
        for flag in flags where !"gims".contains(flag) {
            throw Failure("flag \"\(flag)\" is not supported")
        }
        guard Set(flags).count == flags.count else { throw Failure("repeated flag") }
        self.pattern = pattern
        self.flags = flags
        ignoreCase = flags.contains("i")
        multiline = flags.contains("m")
        dotAll = flags.contains("s")
        global = flags.contains("g")
        var parser = RegexParser(Array(pattern.unicodeScalars))
        let tree = try parser.parse()
        var compiler = RegexCompiler()
        try compiler.emit(tree)
        compiler.program.append(.match)
        program = compiler.program
    }

    /// `/pattern/flags`.
    public var description: String { "/\(pattern)/\(flags)" }

    static func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }
    static func isWord(_ c: Unicode.Scalar) -> Bool {
        isDigit(c) || (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_"
    }

    /// The leftmost-longest match in `input` starting at or after `from`, as scalar offsets; `nil`
    /// when there is none. One pass over the input (a new thread starts at every position until a
    /// match is found); `budget` is decreased by the work done, and the search stops (returning nil,
    /// `budget` negative) when it runs out.
    func firstMatch(in input: [Unicode.Scalar], from: Int, budget: inout Int) -> Range<Int>? {
        // Threads in order of their start position, so the first to reach a pc has the leftmost start.
        var current: [(pc: Int, start: Int)] = []
        var seen = [Int](repeating: -1, count: program.count)
        var best: Range<Int>?
        var position = from
        while true {
            if best == nil {
                addThread(0, start: position, at: position, input: input, into: &current, seen: &seen, best: &best)
            }
            if current.isEmpty || position >= input.count { break }
            budget -= current.count + 1
            if budget < 0 { return nil }
            var next: [(pc: Int, start: Int)] = []
            let c = input[position]
            for thread in current {
                // Once a match is known, later-starting threads cannot win.
                if let best, thread.start > best.lowerBound { continue }
                if case .scalar(let set) = program[thread.pc], set.contains(c, ignoringCase: ignoreCase, dotAll: dotAll) {
                    addThread(thread.pc + 1, start: thread.start, at: position + 1, input: input, into: &next,
                              seen: &seen, best: &best)
                }
            }
            current = next
            position += 1
        }
        return best
    }

    private func addThread(
        _ pc: Int, start: Int, at position: Int, input: [Unicode.Scalar], into list: inout [(pc: Int, start: Int)],
        seen: inout [Int], best: inout Range<Int>?
    ) {
        // `seen` holds the input position at which a pc was last added: each pc once per step.
        guard seen[pc] != position else { return }
        seen[pc] = position
        switch program[pc] {
        case .scalar:
            list.append((pc, start))
        case .match:
            if let current = best {
                if start < current.lowerBound || (start == current.lowerBound && position > current.upperBound) {
                    best = start..<position
                }
            } else {
                best = start..<position
            }
        case .jump(let target):
            addThread(target, start: start, at: position, input: input, into: &list, seen: &seen, best: &best)
        case .split(let a, let b):
            addThread(a, start: start, at: position, input: input, into: &list, seen: &seen, best: &best)
            addThread(b, start: start, at: position, input: input, into: &list, seen: &seen, best: &best)
        case .lineStart:
            if position == 0 || (multiline && Self.isLineBreak(input[position - 1])) {
                addThread(pc + 1, start: start, at: position, input: input, into: &list, seen: &seen, best: &best)
            }
        case .lineEnd:
            if position == input.count || (multiline && Self.isLineBreak(input[position])) {
                addThread(pc + 1, start: start, at: position, input: input, into: &list, seen: &seen, best: &best)
            }
        case .wordBoundary(let wanted):
            let before = position > 0 && Self.isWord(input[position - 1])
            let after = position < input.count && Self.isWord(input[position])
            if (before != after) == wanted {
                addThread(pc + 1, start: start, at: position, input: input, into: &list, seen: &seen, best: &best)
            }
        }
    }

    private static func isLineBreak(_ c: Unicode.Scalar) -> Bool {
        c == "\n" || c == "\r" || c == "\u{2028}" || c == "\u{2029}"
    }
}

indirect enum RegexNode {
    case set(SafeRegex.ScalarSet)
    case sequence([RegexNode])
    case alternation([RegexNode])
    case repeated(RegexNode, min: Int, max: Int?)
    case lineStart
    case lineEnd
    case wordBoundary(Bool)
}

struct RegexParser {
    private let s: [Unicode.Scalar]
    private var i = 0
    private var depth = 0

    init(_ scalars: [Unicode.Scalar]) { s = scalars }

    mutating func parse() throws(SafeRegex.Failure) -> RegexNode {
        let node = try alternation()
        guard i == s.count else { throw .init("unmatched \")\"") }
        return node
    }

    private mutating func alternation() throws(SafeRegex.Failure) -> RegexNode {
        depth += 1
        defer { depth -= 1 }
        guard depth <= 32 else { throw .init("nested too deeply") }
        var branches = [try sequence()]
        while i < s.count, s[i] == "|" {
            i += 1
            branches.append(try sequence())
        }
        return branches.count == 1 ? branches[0] : .alternation(branches)
    }

    private mutating func sequence() throws(SafeRegex.Failure) -> RegexNode {
        var items: [RegexNode] = []
        while i < s.count, s[i] != "|", s[i] != ")" {
            var atom = try self.atom()
            if i < s.count, let bounds = try quantifier() {
                let (min, max) = bounds
                if case .lineStart = atom { throw .init("nothing to repeat") }
                atom = .repeated(atom, min: min, max: max)
                if i < s.count, s[i] == "?" { i += 1 }
                if i < s.count, "*+?{".unicodeScalars.contains(s[i]), (try? peekQuantifier()) == true {
                    throw .init("nothing to repeat")
                }
            }
            items.append(atom)
        }
        return .sequence(items)
    }

    private func peekQuantifier() throws -> Bool {
        var copy = self
        return try copy.quantifier() != nil
    }

    private mutating func quantifier() throws(SafeRegex.Failure) -> (Int, Int?)? {
        switch s[i] {
        case "*": i += 1; return (0, nil)
        case "+": i += 1; return (1, nil)
        case "?": i += 1; return (0, 1)
        case "{":
            var j = i + 1
            func digits() -> Int? {
                let start = j
                while j < s.count, SafeRegex.isDigit(s[j]) { j += 1 }
                guard j > start, j - start <= 4 else { return nil }
                return Int(String(String.UnicodeScalarView(s[start..<j])))
            }
            guard let min = digits() else { return nil }
            var max: Int? = min
            if j < s.count, s[j] == "," {
                j += 1
                max = j < s.count && s[j] == "}" ? nil : digits()
                if max == nil && !(j < s.count && s[j] == "}") { return nil }
            }
            guard j < s.count, s[j] == "}" else { return nil }
            if let max, max < min { throw .init("numbers out of order in {} quantifier") }
            i = j + 1
            return (min, max)
        default: return nil
        }
    }

    private mutating func atom() throws(SafeRegex.Failure) -> RegexNode {
        let c = s[i]
        i += 1
        switch c {
        case "^": return .lineStart
        case "$": return .lineEnd
        case ".": return .set(SafeRegex.ScalarSet(any: true))
        case "*", "+", "?": throw .init("nothing to repeat")
        case "(":
            if i < s.count, s[i] == "?" {
                guard i + 1 < s.count, s[i + 1] == ":" else { throw .init("look-around and named groups are not supported") }
                i += 2
            }
            let inner = try alternation()
            guard i < s.count, s[i] == ")" else { throw .init("unterminated group") }
            i += 1
            return inner
        case "[": return .set(try characterClass())
        case "\\": return try escape()
        default: return .set(SafeRegex.ScalarSet(ranges: [c.value...c.value]))
        }
    }

    private mutating func escape() throws(SafeRegex.Failure) -> RegexNode {
        guard i < s.count else { throw .init("\\ at end of pattern") }
        let e = s[i]
        i += 1
        switch e {
        case "b": return .wordBoundary(true)
        case "B": return .wordBoundary(false)
        case "1"..."9": throw .init("back references are not supported")
        case "k": throw .init("named back references are not supported")
        default:
            return .set(try escapedSet(e))
        }
    }

    private mutating func escapedSet(_ e: Unicode.Scalar) throws(SafeRegex.Failure) -> SafeRegex.ScalarSet {
        switch e {
        case "d", "D", "w", "W", "s", "S": return SafeRegex.ScalarSet(classes: [Character(e)])
        case "n": return single("\n")
        case "t": return single("\t")
        case "r": return single("\r")
        case "f": return single("\u{C}")
        case "v": return single("\u{B}")
        case "0": return single("\u{0}")
        case "x", "u":
            let count = e == "x" ? 2 : 4
            guard i + count <= s.count,
                let v = UInt32(String(String.UnicodeScalarView(s[i..<i + count])), radix: 16)
            else { throw .init("invalid escape") }
            i += count
            return SafeRegex.ScalarSet(ranges: [v...v])
        case "p", "P": throw .init("unicode property escapes are not supported")
        default: return single(e)
        }
    }

    private func single(_ c: Unicode.Scalar) -> SafeRegex.ScalarSet { SafeRegex.ScalarSet(ranges: [c.value...c.value]) }

    private mutating func characterClass() throws(SafeRegex.Failure) -> SafeRegex.ScalarSet {
        var set = SafeRegex.ScalarSet()
        if i < s.count, s[i] == "^" {
            set.negated = true
            i += 1
        }
        while true {
            guard i < s.count else { throw .init("unterminated character class") }
            if s[i] == "]" {
                i += 1
                return set
            }
            let low = try classMember()
            if i + 1 < s.count, s[i] == "-", s[i + 1] != "]", case .some(let lowValue) = low {
                i += 1
                guard case .some(let highValue) = try classMember() else { throw .init("invalid character class range") }
                guard lowValue <= highValue else { throw .init("range out of order in character class") }
                set.ranges.append(lowValue...highValue)
            } else if let low {
                set.ranges.append(low...low)
            } else {
                set.classes.append(lastClass)
            }
        }
    }

    private var lastClass: Character = "d"

    /// One member of a class: a scalar value, or nil for a class escape (stored in `lastClass`).
    private mutating func classMember() throws(SafeRegex.Failure) -> UInt32? {
        let c = s[i]
        i += 1
        guard c == "\\" else { return c.value }
        guard i < s.count else { throw .init("\\ at end of pattern") }
        let e = s[i]
        i += 1
        if "dDwWsS".unicodeScalars.contains(e) {
            lastClass = Character(e)
            return nil
        }
        if e == "b" { return 8 }
        let set = try escapedSet(e)
        return set.ranges.first?.lowerBound
    }
}

struct RegexCompiler {
    var program: [SafeRegex.Instruction] = []

    private mutating func append(_ instruction: SafeRegex.Instruction) throws(SafeRegex.Failure) {
        guard program.count < SafeRegex.maximumInstructions else { throw .init("pattern is too large") }
        program.append(instruction)
    }

    mutating func emit(_ node: RegexNode) throws(SafeRegex.Failure) {
        switch node {
        case .set(let set): try append(.scalar(set))
        case .lineStart: try append(.lineStart)
        case .lineEnd: try append(.lineEnd)
        case .wordBoundary(let wanted): try append(.wordBoundary(wanted))
        case .sequence(let items): for item in items { try emit(item) }
        case .alternation(let branches):
            var jumps: [Int] = []
            for (index, branch) in branches.enumerated() {
                if index < branches.count - 1 {
                    let split = program.count
                    try append(.split(split + 1, -1))
                    try emit(branch)
                    jumps.append(program.count)
                    try append(.jump(-1))
                    program[split] = .split(split + 1, program.count)
                } else {
                    try emit(branch)
                }
            }
            for jump in jumps { program[jump] = .jump(program.count) }
        case .repeated(let inner, let min, let max):
            for _ in 0..<min { try emit(inner) }
            if let max {
                var splits: [Int] = []
                for _ in min..<max {
                    splits.append(program.count)
                    try append(.split(program.count + 1, -1))
                    try emit(inner)
                }
                for split in splits { program[split] = .split(split + 1, program.count) }
            } else {
                let split = program.count
                try append(.split(split + 1, -1))
                try emit(inner)
                try append(.jump(split))
                program[split] = .split(split + 1, program.count)
            }
        }
    }
}
