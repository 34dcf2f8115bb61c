/// Why a configuration or users file could not be used; every case reads as one line.
public enum BrokerConfigurationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file could not be read.
    case unreadableFile(path: String, reason: String)
    /// The file is not JSON.
    case invalidJSON(path: String, reason: String)
    /// A key the format does not define (often a typo).
    case unknownKey(source: String, key: String)
    /// A key holds a value of the wrong kind or out of range.
    case invalidValue(source: String, key: String, expected: String)
    /// The users file named by the configuration is unusable.
    indirect case usersFile(BrokerConfigurationError)
    /// A permission rule or path that cannot be compiled; `rule` is its path (`rpc.payments.*.request`).
    case invalidRule(source: String, rule: String, reason: String)
    /// The file is not valid YAML.
    case invalidYAML(path: String, reason: String)

    /// A one-line explanation.
    public var description: String {
        switch self {
        case .unreadableFile(let path, let reason): "cannot read \(path): \(reason)"
        case .invalidJSON(let path, let reason): "\(path) is not valid JSON: \(reason)"
        case .unknownKey(let source, let key): "\(source): unknown setting \"\(key)\""
        case .invalidValue(let source, let key, let expected): "\(source): \"\(key)\" must be \(expected)"
        case .usersFile(let error): "users file: \(error.description)"
        case .invalidRule(let source, let rule, let reason): "\(source): rule \(rule): \(reason)"
        case .invalidYAML(let path, let reason): "\(path) is not valid YAML: \(reason)"
        }
    }
}
