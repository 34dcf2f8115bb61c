import DeepstreamProtocol

extension RPCPermissions {
    /// The sections a deepstream permissions file may have, with their rule types.
    static let sections: [String: Set<String>] = [
        "record": ["create", "write", "read", "delete", "listen", "notify"],
        "event": ["publish", "subscribe", "listen"],
        "rpc": ["provide", "request"],
        "presence": ["allow"],
    ]

    /// Compiles a deepstream permissions file (already read as JSON: `record`, `event`, `rpc`,
    /// `presence` sections of `path: {ruleType: rule}`). Only `rpc` rules are compiled and enforced;
    /// the other sections are checked for shape only (the broker has no records, events or presence).
    /// Every problem is a one-line error naming the rule's path.
    public static func parse(_ json: JSONValue, source: String) throws(BrokerConfigurationError) -> RPCPermissions {
        guard case .object(let root) = json else {
            throw .invalidValue(source: source, key: "(top level)", expected: "an object of sections (rpc, record, event, presence)")
        }
        var rulesets: [Ruleset] = []
        for (section, value) in root {
            guard let types = sections[section] else {
                throw .unknownKey(source: source, key: section)
            }
            guard case .object(let paths) = value else {
                throw .invalidValue(source: source, key: section, expected: "an object of paths")
            }
            if paths.count == 0 { throw .invalidValue(source: source, key: section, expected: "not empty") }
            if paths["*"] == nil {
                throw .invalidValue(source: source, key: section, expected: "a root entry \"*\"")
            }
            for (path, rulesValue) in paths {
                let pattern: PathPattern
                do { pattern = try PathPattern(path) } catch {
                    throw .invalidRule(source: source, rule: "\(section).\(path)", reason: error.message)
                }
                guard case .object(let rules) = rulesValue else {
                    throw .invalidValue(source: source, key: "\(section).\(path)", expected: "an object of rules")
                }
                var compiled: [Kind: Rule] = [:]
                for (type, rule) in rules {
                    let label = "\(section).\(path).\(type)"
                    guard types.contains(type) else {
                        throw .invalidRule(
                            source: source, rule: label,
                            reason: "\(section) rules are \(types.sorted().joined(separator: ", "))")
                    }
                    let parsed = try compile(rule, label: label, section: section, type: type, source: source)
                    if section == "rpc", let kind = Kind(rawValue: type) { compiled[kind] = parsed }
                }
                if section == "rpc" { rulesets.append(Ruleset(pattern: pattern, rules: compiled)) }
            }
        }
        guard root["rpc"] != nil else {
            throw .invalidValue(source: source, key: "rpc", expected: "present (the section the broker enforces)")
        }
        return RPCPermissions(rulesets: rulesets)
    }

    private static func compile(
        _ value: JSONValue, label: String, section: String, type: String, source: String
    ) throws(BrokerConfigurationError) -> Rule {
        switch value {
        case .bool(let b):
            return .constant(b)
        case .string(let text):
            guard !text.isEmpty else { throw .invalidRule(source: source, rule: label, reason: "rule can't be empty") }
            let expression: RuleExpression
            do { expression = try RuleParser.parse(text) } catch {
                throw .invalidRule(source: source, rule: label, reason: error.message)
            }
            if expression.reads("oldData") {
                throw .invalidRule(source: source, rule: label, reason: "rule \(type) for \(section) does not support oldData")
            }
            let dataTypes: Set<String> = ["write", "publish", "subscribe", "request"]
            if expression.reads("data") && !dataTypes.contains(type) {
                throw .invalidRule(source: source, rule: label, reason: "rule \(type) for \(section) does not support data")
            }
            return .expression(expression, source: text)
        default:
            throw .invalidRule(source: source, rule: label, reason: "rule must be true, false or a string")
        }
    }
}
