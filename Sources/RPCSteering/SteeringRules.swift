import DeepstreamProtocol

/// An ordered list of steering rules, as read from a rules file (docs/rules.md), and the pure decision
/// per call: the first enabled rule that matches the call and whose rate fires decides.
///
/// File shape: `{"rules": [{"match": "payments.*", "action": "fail", "error": "card declined",
/// "rate": 0.25}, {"match": "search", "action": "delay", "ms": "200..400"}]}`.
public struct SteeringRules: Hashable, Sendable {
    /// The rules in file order.
    public var rules: [SteeringRule]

    /// Creates a rule set (empty: nothing is steered).
    public init(_ rules: [SteeringRule] = []) { self.rules = rules }

    /// Whether no rule can fire, so callers skip steering with one check.
    public var isEmpty: Bool { rules.isEmpty }

    /// The decision for one call, or nil when no rule fires (the call takes its normal path).
    /// `random` rolls the rates and draws delays, so tests inject a seeded generator.
    public func decide(
        name: String, requestor: String?, provider: String?, using random: inout some RandomNumberGenerator
    ) -> SteeringDecision? {
        for (index, rule) in rules.enumerated() where rule.matches(name: name, requestor: requestor, provider: provider) {
            if rule.rate < 1 {
                guard rule.rate > 0, Double.random(in: 0..<1, using: &random) < rule.rate else { continue }
            }
            switch rule.action {
            case .delayRequest(let range), .delayResponse(let range):
                return SteeringDecision(rule: index + 1, action: rule.action, delayMilliseconds: range.draw(using: &random))
            case .fail, .reject, .dropResponse, .hold:
                return SteeringDecision(rule: index + 1, action: rule.action)
            }
        }
        return nil
    }

    // MARK: The file

    private static let fileKeys = ["rules", "description"]
    private static let ruleKeys = ["match", "requestor", "provider", "action", "rate", "enabled", "ms", "on", "error"]

    /// Reads a rules file's text; `file` names it in errors.
    public init(parsing text: String, file: String) throws(SteeringRulesError) {
        let json: JSONValue
        do { json = try JSONValue(parsing: text) } catch {
            throw SteeringRulesError(file: file, message: "invalid JSON: \(error.description)")
        }
        try self.init(json: json, file: file)
    }

    /// Reads an already parsed rules file.
    public init(json: JSONValue, file: String) throws(SteeringRulesError) {
        guard case .object(let object) = json else {
            throw SteeringRulesError(file: file, message: "expected an object with \"rules\", got \(json.typeName)")
        }
        if let unknown = object.keys.first(where: { !Self.fileKeys.contains($0) }) {
            throw SteeringRulesError(
                file: file, message: "unknown member \"\(unknown)\" (known: \(Self.fileKeys.joined(separator: ", ")))")
        }
        guard case .array(let entries)? = object["rules"] else {
            throw SteeringRulesError(
                file: file, message: object["rules"] == nil ? "missing \"rules\"" : "\"rules\" must be an array")
        }
        var rules: [SteeringRule] = []
        for (index, entry) in entries.enumerated() {
            do { rules.append(try Self.rule(from: entry)) } catch {
                throw SteeringRulesError(file: file, index: index, message: error.message)
            }
        }
        self.rules = rules
    }

    struct RuleProblem: Error { var message: String }

    static func rule(from entry: JSONValue) throws(RuleProblem) -> SteeringRule {
        guard case .object(let object) = entry else { throw RuleProblem(message: "expected an object, got \(entry.typeName)") }
        if let unknown = object.keys.first(where: { !ruleKeys.contains($0) }) {
            throw RuleProblem(message: "unknown member \"\(unknown)\" (known: \(ruleKeys.joined(separator: ", ")))")
        }
        func string(_ key: String) throws(RuleProblem) -> String? {
            switch object[key] {
            case nil: return nil
            case .string(let text)?:
                guard !text.isEmpty else { throw RuleProblem(message: "\(key): must not be empty") }
                return text
            case let other?: throw RuleProblem(message: "\(key): expected a string, got \(other.typeName)")
            }
        }
        guard let match = try string("match") else { throw RuleProblem(message: "missing \"match\" (an RPC name or glob)") }
        guard let actionName = try string("action") else {
            throw RuleProblem(message: "missing \"action\" (delay, fail, reject, drop-response or hold)")
        }
        let action: SteeringAction
        let allowed: Set<String>
        switch actionName {
        case "delay":
            let range = try delay(object["ms"])
            switch try string("on") ?? "request" {
            case "request": action = .delayRequest(range)
            case "response": action = .delayResponse(range)
            case let other: throw RuleProblem(message: "on: expected \"request\" or \"response\", got \"\(other)\"")
            }
            allowed = ["ms", "on"]
        case "fail":
            action = .fail(error: object["error"] ?? .string("steered failure"))
            allowed = ["error"]
        case "reject":
            action = .reject
            allowed = []
        case "drop-response":
            action = .dropResponse
            allowed = []
        case "hold":
            action = .hold
            allowed = []
        default:
            throw RuleProblem(message: "action: expected delay, fail, reject, drop-response or hold, got \"\(actionName)\"")
        }
        for key in ["ms", "on", "error"] where object[key] != nil && !allowed.contains(key) {
            throw RuleProblem(message: "\(key): does not apply to action \(actionName)")
        }
        var rate = 1.0
        if let value = object["rate"] {
            guard let number = value.doubleValue, number >= 0, number <= 1 else {
                throw RuleProblem(message: "rate: expected a number within 0…1, got \(value.jsonText)")
            }
            rate = number
        }
        var enabled = true
        if let value = object["enabled"] {
            guard let flag = value.boolValue else {
                throw RuleProblem(message: "enabled: expected true or false, got \(value.typeName)")
            }
            enabled = flag
        }
        return SteeringRule(
            match: GlobPattern(match), requestor: try string("requestor").map(GlobPattern.init),
            provider: try string("provider").map(GlobPattern.init), action: action, rate: rate, isEnabled: enabled)
    }

    /// `"ms": 200` or `"ms": "200..400"` (also `"200"`).
    static func delay(_ value: JSONValue?) throws(RuleProblem) -> DelayRange {
        switch value {
        case nil:
            throw RuleProblem(message: "missing \"ms\" (milliseconds: 200 or \"200..400\")")
        case .number(let number)?:
            guard let ms = number.intValue, let range = DelayRange(minimum: ms, maximum: ms) else {
                throw RuleProblem(message: "ms: expected whole milliseconds within 0…\(DelayRange.limit), got \(number)")
            }
            return range
        case .string(let text)?:
            let parts = text.split(separator: ".", omittingEmptySubsequences: false)
            let bounds: (Int?, Int?)
            if parts.count == 1 {
                bounds = (Int(parts[0]), Int(parts[0]))
            } else if parts.count == 3, parts[1].isEmpty {
                bounds = (Int(parts[0]), Int(parts[2]))
            } else {
                throw RuleProblem(message: "ms: expected \"MIN..MAX\", got \"\(text)\"")
            }
            guard let low = bounds.0, let high = bounds.1 else {
                throw RuleProblem(message: "ms: expected whole milliseconds in \"\(text)\"")
            }
            guard let range = DelayRange(minimum: low, maximum: high) else {
                throw RuleProblem(message: low > high
                    ? "ms: the range \"\(text)\" is empty (\(low) > \(high))"
                    : "ms: \"\(text)\" is outside 0…\(DelayRange.limit)")
            }
            return range
        case let other?:
            throw RuleProblem(message: "ms: expected a number or \"MIN..MAX\", got \(other.typeName)")
        }
    }
}
