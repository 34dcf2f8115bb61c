/// Evaluates a parsed rule with JavaScript semantics over plain values. Pure and bounded: every
/// node visited and every character a string method or regular expression looks at is counted
/// against a step budget.
struct RuleEvaluator {
    /// Why an evaluation failed (deepstream answers these with MESSAGE_PERMISSION_ERROR).
    struct Failure: Error, Hashable {
        let message: String
        init(_ message: String) { self.message = message }
    }

    /// Steps one evaluation may take.
    static let stepBudget = 250_000

    /// The rule's variables.
    var variables: [String: RuleValue]
    /// Produces `data` on first use (the request data is parsed only when a rule reads it).
    var data: () throws(Failure) -> RuleValue
    private var budget = RuleEvaluator.stepBudget
    private var cachedData: RuleValue?

    init(variables: [String: RuleValue], data: @escaping () throws(Failure) -> RuleValue) {
        self.variables = variables
        self.data = data
    }

    mutating func evaluate(_ expression: RuleExpression) throws(Failure) -> RuleValue {
        budget -= 1
        guard budget >= 0 else { throw Failure("rule exceeded its evaluation budget") }
        switch expression {
        case .literal(let value):
            return value
        case .identifier(let name):
            return try lookup(name)
        case .member(let object, let key):
            let base = try evaluate(object)
            let property = try evaluate(key)
            return try member(of: base, property.stringValue, keyValue: property)
        case .methodCall(let object, let method, let arguments):
            let receiver = try evaluate(object)
            var values: [RuleValue] = []
            for argument in arguments { values.append(try evaluate(argument)) }
            return try call(method, on: receiver, with: values)
        case .arrayLiteral(let items):
            var values: [RuleValue] = []
            for item in items { values.append(try evaluate(item)) }
            return .array(values)
        case .unary(let op, let operand):
            let value = try evaluate(operand)
            switch op {
            case "!": return .bool(!value.isTruthy)
            case "-": return .number(-value.numberValue)
            case "+": return .number(value.numberValue)
            default: return .string(value.typeName)  // typeof
            }
        case .and(let a, let b):
            let left = try evaluate(a)
            return left.isTruthy ? try evaluate(b) : left
        case .or(let a, let b):
            let left = try evaluate(a)
            return left.isTruthy ? left : try evaluate(b)
        case .conditional(let test, let then, let otherwise):
            return try evaluate(test).isTruthy ? try evaluate(then) : try evaluate(otherwise)
        case .binary(let op, let a, let b):
            let left = try evaluate(a)
            let right = try evaluate(b)
            return try binary(op, left, right)
        }
    }

    private mutating func lookup(_ name: String) throws(Failure) -> RuleValue {
        if name == "data" {
            if let cachedData { return cachedData }
            let value = try data()
            cachedData = value
            return value
        }
        if let value = variables[name] { return value }
        switch name {
        case "undefined": return .undefined
        case "NaN": return .number(.nan)
        case "Infinity": return .number(.infinity)
        default: throw Failure("ReferenceError: \(name) is not defined")
        }
    }

    private mutating func member(of base: RuleValue, _ key: String, keyValue: RuleValue) throws(Failure) -> RuleValue {
        switch base {
        case .undefined, .null:
            throw Failure("TypeError: Cannot read properties of \(base.stringValue) (reading '\(key)')")
        case .string(let s):
            if key == "length" { return .number(Double(s.utf16.count)) }
            if let index = Self.arrayIndex(key) {
                budget -= s.utf16.count
                let units = Array(s.utf16)
                guard index < units.count else { return .undefined }
                return .string(String(decoding: [units[index]], as: UTF16.self))
            }
            return .undefined
        case .array(let items):
            if key == "length" { return .number(Double(items.count)) }
            if let index = Self.arrayIndex(key) { return index < items.count ? items[index] : .undefined }
            return .undefined
        case .object(let members):
            return members[key] ?? .undefined
        case .regex(let regex):
            switch key {
            case "source": return .string(regex.pattern)
            case "flags": return .string(regex.flags)
            case "global": return .bool(regex.global)
            default: return .undefined
            }
        case .bool, .number:
            return .undefined
        }
    }

    private static func arrayIndex(_ key: String) -> Int? {
        guard let index = Int(key), index >= 0, String(index) == key else { return nil }
        return index
    }

    private mutating func call(_ method: String, on receiver: RuleValue, with arguments: [RuleValue]) throws(Failure) -> RuleValue {
        let first = arguments.first ?? .undefined
        switch receiver {
        case .string(let s):
            budget -= s.utf16.count / 16 + 1
            guard budget >= 0 else { throw Failure("rule exceeded its evaluation budget") }
            switch method {
            case "toUpperCase": return .string(s.uppercased())
            case "toLowerCase": return .string(s.lowercased())
            case "trim": return .string(s.trimmingJavaScriptWhitespace())
            case "startsWith", "endsWith", "includes", "indexOf":
                if case .regex = first, method != "indexOf" {
                    throw Failure("TypeError: First argument to String.prototype.\(method) must not be a regular expression")
                }
                let needle = Array(first.stringValue.utf16)
                let hay = Array(s.utf16)
                let position = arguments.count > 1 ? arguments[1].numberValue : .nan
                budget -= needle.count * hay.count / 64
                switch method {
                case "startsWith":
                    let start = Self.clampedPosition(position, default: 0, count: hay.count)
                    return .bool(hay.count - start >= needle.count && Array(hay[start..<start + needle.count]) == needle)
                case "endsWith":
                    let end = Self.clampedPosition(position, default: hay.count, count: hay.count)
                    return .bool(end >= needle.count && Array(hay[end - needle.count..<end]) == needle)
                case "includes":
                    return .bool(Self.index(of: needle, in: hay, from: Self.clampedPosition(position, default: 0, count: hay.count)) != nil)
                default:
                    let found = Self.index(of: needle, in: hay, from: Self.clampedPosition(position, default: 0, count: hay.count))
                    return .number(Double(found ?? -1))
                }
            case "match":
                let regex: SafeRegex
                switch first {
                case .regex(let r): regex = r
                case .undefined: regex = try Self.regex("(?:)")
                default: regex = try Self.regex(first.stringValue)
                }
                return try match(regex, in: s)
            default:
                break
            }
        case .array(let items):
            budget -= items.count + 1
            guard budget >= 0 else { throw Failure("rule exceeded its evaluation budget") }
            switch method {
            case "includes":
                return .bool(items.contains { Self.sameValueZero($0, first) })
            case "indexOf":
                return .number(Double(items.firstIndex { Self.strictEquals($0, first) } ?? -1))
            default:
                break
            }
        case .undefined, .null:
            throw Failure("TypeError: Cannot read properties of \(receiver.stringValue) (reading '\(method)')")
        default:
            break
        }
        throw Failure("TypeError: \(receiver.typeName == "object" ? "value" : receiver.typeName).\(method) is not a function")
    }

    private static func regex(_ pattern: String) throws(Failure) -> SafeRegex {
        do { return try SafeRegex(pattern: pattern) } catch {
            throw Failure("SyntaxError: Invalid regular expression: /\(pattern)/: \(error.message)")
        }
    }

    private mutating func match(_ regex: SafeRegex, in s: String) throws(Failure) -> RuleValue {
        let scalars = Array(s.unicodeScalars)
        var matches: [RuleValue] = []
        var from = 0
        while from <= scalars.count {
            guard let range = regex.firstMatch(in: scalars, from: from, budget: &budget) else { break }
            matches.append(.string(String(String.UnicodeScalarView(scalars[range]))))
            if !regex.global { break }
            from = range.isEmpty ? range.upperBound + 1 : range.upperBound
        }
        if budget < 0 { throw Failure("rule exceeded its evaluation budget") }
        return matches.isEmpty ? .null : .array(matches)
    }

    private static func clampedPosition(_ position: Double, default value: Int, count: Int) -> Int {
        guard !position.isNaN else { return value }
        return Int(min(max(position.rounded(.towardZero), 0), Double(count)))
    }

    private static func index(of needle: [UInt16], in hay: [UInt16], from start: Int) -> Int? {
        guard needle.count <= hay.count - start else { return nil }
        if needle.isEmpty { return start }
        var i = start
        while i + needle.count <= hay.count {
            if hay[i] == needle[0] && Array(hay[i..<i + needle.count]) == needle { return i }
            i += 1
        }
        return nil
    }

    // MARK: Operators

    private mutating func binary(_ op: String, _ a: RuleValue, _ b: RuleValue) throws(Failure) -> RuleValue {
        switch op {
        case "===": return .bool(Self.strictEquals(a, b))
        case "!==": return .bool(!Self.strictEquals(a, b))
        case "==": return .bool(Self.looseEquals(a, b))
        case "!=": return .bool(!Self.looseEquals(a, b))
        case "<", "<=", ">", ">=":
            return .bool(Self.compare(op, a, b))
        case "+":
            if Self.isStringLike(a) || Self.isStringLike(b) {
                let text = a.stringValue + b.stringValue
                budget -= text.utf8.count / 16
                return .string(text)
            }
            return .number(a.numberValue + b.numberValue)
        case "-": return .number(a.numberValue - b.numberValue)
        case "*": return .number(a.numberValue * b.numberValue)
        case "/": return .number(a.numberValue / b.numberValue)
        default:  // %
            return .number(a.numberValue.truncatingRemainder(dividingBy: b.numberValue))
        }
    }

    /// Strings, and objects/arrays (whose primitive value is a string) make `+` concatenate.
    private static func isStringLike(_ v: RuleValue) -> Bool {
        switch v {
        case .string, .array, .object, .regex: true
        default: false
        }
    }

    static func strictEquals(_ a: RuleValue, _ b: RuleValue) -> Bool {
        if case .number(let x) = a, case .number(let y) = b { return x == y }
        return a == b
    }

    static func sameValueZero(_ a: RuleValue, _ b: RuleValue) -> Bool {
        if case .number(let x) = a, case .number(let y) = b { return x == y || (x.isNaN && y.isNaN) }
        return a == b
    }

    static func looseEquals(_ a: RuleValue, _ b: RuleValue) -> Bool {
        switch (a, b) {
        case (.undefined, .undefined), (.null, .null), (.undefined, .null), (.null, .undefined): return true
        case (.undefined, _), (.null, _), (_, .undefined), (_, .null): return false
        case (.number, .string), (.string, .number), (.bool, _), (_, .bool):
            return a.numberValue == b.numberValue
        case (.array, .string), (.object, .string), (.array, .number), (.object, .number):
            return looseEquals(.string(a.stringValue), b)
        case (.string, .array), (.string, .object), (.number, .array), (.number, .object):
            return looseEquals(a, .string(b.stringValue))
        default:
            return strictEquals(a, b)
        }
    }

    private static func compare(_ op: String, _ a: RuleValue, _ b: RuleValue) -> Bool {
        let pa: RuleValue = isStringLike(a) ? .string(a.stringValue) : a
        let pb: RuleValue = isStringLike(b) ? .string(b.stringValue) : b
        if case .string(let x) = pa, case .string(let y) = pb {
            // JavaScript orders strings by UTF-16 code units.
            let ux = Array(x.utf16), uy = Array(y.utf16)
            switch op {
            case "<": return ux.lexicographicallyPrecedes(uy)
            case "<=": return !uy.lexicographicallyPrecedes(ux)
            case ">": return uy.lexicographicallyPrecedes(ux)
            default: return !ux.lexicographicallyPrecedes(uy)
            }
        }
        let x = pa.numberValue, y = pb.numberValue
        switch op {
        case "<": return x < y
        case "<=": return x <= y
        case ">": return x > y
        default: return x >= y
        }
    }
}
