import DeepstreamProtocol
import Foundation

/// Turns a deepstream 10 configuration (`conf/config.yml`, already read by ``DeepstreamYAML``) into
/// a ``BrokerConfiguration``: what the broker has is applied, settings of features it does not have
/// are collected in ``BrokerConfiguration/ignoredSettings``, unknown keys and wrong types are errors.
struct DeepstreamConfigurationReader {
    let source: String
    var configuration = BrokerConfiguration()
    var ignored: [String] = []

    /// Top-level keys of deepstream's schema whose whole section is about features the broker lacks.
    static let ignoredSections: Set<String> = [
        "record", "listen", "cache", "storage", "logger", "subscriptions", "monitoring", "telemetry", "locks",
        "clusterNode", "clusterRegistry", "clusterStates", "plugins",
    ]
    /// General settings of the deepstream process, which have no meaning for the embedded broker.
    static let ignoredGeneral: Set<String> = [
        "libDir", "serverName", "showLogo", "exitOnFatalError", "dependencyInitializationTimeout", "logLevel",
    ]

    /// Starts from the broker's defaults (deepstream's, except the bind address: docs/broker.md,
    /// deviation 12).
    init(source: String) {
        self.source = source
    }

    mutating func read(_ root: JSONValue) throws(BrokerConfigurationError) -> BrokerConfiguration {
        guard case .object(let object) = root else {
            throw .invalidValue(source: source, key: "(top level)", expected: "a mapping of settings")
        }
        var endpointsSeen = false
        for (key, value) in object {
            switch key {
            case "rpc": try readRPC(value)
            case "httpServer": try readHTTPServer(value)
            case "connectionEndpoints":
                endpointsSeen = true
                try readEndpoints(value)
            case "auth": try readAuth(value)
            case "permission": try readPermission(value)
            case "enabledFeatures": try readFeatures(value)
            default:
                if Self.ignoredSections.contains(key) {
                    if value != .null { ignored.append("\(key).*") }
                } else if Self.ignoredGeneral.contains(key) {
                    ignored.append(key)
                } else {
                    throw .unknownKey(source: source, key: key)
                }
            }
        }
        if !endpointsSeen {
            configuration.webSocketPaths = ["/deepstream": .binary, "/deepstream-json": .json]
        }
        configuration.ignoredSettings = ignored
        return configuration
    }

    // MARK: Sections

    private mutating func readFeatures(_ value: JSONValue) throws(BrokerConfigurationError) {
        for (key, member) in try object(value, at: "enabledFeatures") {
            let path = "enabledFeatures.\(key)"
            guard ["record", "event", "rpc", "presence", "monitoring"].contains(key) else {
                throw .unknownKey(source: source, key: path)
            }
            let enabled = try bool(member, at: path)
            if key == "rpc" {
                guard enabled else {
                    throw .invalidValue(source: source, key: path, expected: "true (RPC is all the embedded broker does)")
                }
            } else if enabled {
                ignored.append(path)
            }
        }
    }

    private mutating func readRPC(_ value: JSONValue) throws(BrokerConfigurationError) {
        for (key, member) in try object(value, at: "rpc") {
            let path = "rpc.\(key)"
            switch key {
            case "ackTimeout": configuration.rpc.ackTimeout = try milliseconds(member, at: path)
            case "responseTimeout": configuration.rpc.responseTimeout = try milliseconds(member, at: path)
            case "provideRequestorName": configuration.rpc.provideRequestorName = try bool(member, at: path)
            case "provideRequestorData": configuration.rpc.provideRequestorData = try bool(member, at: path)
            default: throw .unknownKey(source: source, key: path)
            }
        }
    }

    private mutating func readHTTPServer(_ value: JSONValue) throws(BrokerConfigurationError) {
        for (key, member) in try object(value, at: "httpServer") {
            switch key {
            case "type":
                let type = try string(member, at: "httpServer.type")
                guard type == "default" || type == "uws" else {
                    throw .invalidValue(source: source, key: "httpServer.type", expected: "default or uws")
                }
            case "name", "path":
                throw .invalidValue(
                    source: source, key: "httpServer.\(key)", expected: "absent (HTTP server plugins are not supported)")
            case "options":
                for (option, setting) in try object(member, at: "httpServer.options") {
                    let path = "httpServer.options.\(option)"
                    switch option {
                    case "host": configuration.host = try string(setting, at: path)
                    case "port": configuration.port = try integer(setting, at: path, in: 0...65535)
                    case "healthCheckPath":
                        let text = try string(setting, at: path)
                        guard text.hasPrefix("/") else { throw .invalidValue(source: source, key: path, expected: "a path starting with /") }
                        configuration.healthCheckPath = text
                    case "allowAllOrigins", "origins", "maxMessageSize", "headers", "ssl":
                        ignored.append(path)
                    default: throw .unknownKey(source: source, key: path)
                    }
                }
            default: throw .unknownKey(source: source, key: "httpServer.\(key)")
            }
        }
    }

    /// The websocket endpoints' shared settings, from the first ws endpoint that sets each one.
    private struct EndpointSetting {
        var value: JSONValue
        var key: String
    }

    private mutating func readEndpoints(_ value: JSONValue) throws(BrokerConfigurationError) {
        guard case .array(let endpoints) = value else {
            throw .invalidValue(source: source, key: "connectionEndpoints", expected: "a list of endpoints")
        }
        var paths: [String: WireFormat] = [:]
        var shared: [String: EndpointSetting] = [:]
        for (index, endpoint) in endpoints.enumerated() {
            let prefix = "connectionEndpoints[\(index)]"
            if endpoint == .null { continue }
            let fields = try object(endpoint, at: prefix)
            var type: String?
            if let value = fields["type"] { type = try string(value, at: "\(prefix).type") }
            for (key, _) in fields where !["type", "name", "path", "options"].contains(key) {
                throw .unknownKey(source: source, key: "\(prefix).\(key)")
            }
            let format: WireFormat
            switch type {
            case "ws-binary": format = .binary
            case "ws-json": format = .json
            case "ws-text", "http", "mqtt":
                ignored.append("\(prefix) (\(type ?? ""))")
                continue
            case nil where fields["name"] != nil || fields["path"] != nil:
                ignored.append("\(prefix) (plugin)")
                continue
            default:
                throw .invalidValue(
                    source: source, key: "\(prefix).type", expected: "ws-binary, ws-json, ws-text, http or mqtt")
            }
            var urlPath = format == .binary ? "/deepstream" : "/deepstream-json"
            if let options = fields["options"], options != .null {
                for (key, setting) in try object(options, at: "\(prefix).options") {
                    let path = "\(prefix).options.\(key)"
                    switch key {
                    case "urlPath":
                        urlPath = try string(setting, at: path)
                        guard urlPath.hasPrefix("/") else {
                            throw .invalidValue(source: source, key: path, expected: "a path starting with /")
                        }
                    case "heartbeatInterval", "unauthenticatedClientTimeout", "maxAuthAttempts", "maxMessageSize":
                        if let earlier = shared[key], earlier.value != setting {
                            throw .invalidValue(
                                source: source, key: path,
                                expected: "the same as \(earlier.key) (the embedded broker has one value for all endpoints)")
                        }
                        shared[key] = EndpointSetting(value: setting, key: path)
                        try apply(key, setting, at: path)
                    case "outgoingBufferTimeout", "maxBufferByteSize", "headers", "logInvalidAuthData":
                        ignored.append(path)
                    default: throw .unknownKey(source: source, key: path)
                    }
                }
            }
            if paths[urlPath] != nil {
                throw .invalidValue(source: source, key: "\(prefix).options.urlPath", expected: "different from the other endpoints'")
            }
            paths[urlPath] = format
        }
        configuration.webSocketPaths = paths
    }

    private mutating func apply(_ key: String, _ value: JSONValue, at path: String) throws(BrokerConfigurationError) {
        switch key {
        case "heartbeatInterval": configuration.heartbeatInterval = try milliseconds(value, at: path)
        case "unauthenticatedClientTimeout":
            if value == .bool(false) || value == .null {
                configuration.unauthenticatedClientTimeout = nil
            } else {
                configuration.unauthenticatedClientTimeout = try milliseconds(value, at: path)
            }
        case "maxAuthAttempts": configuration.maxAuthAttempts = try integer(value, at: path, in: 1...1_000_000)
        default: configuration.maxMessageSize = try integer(value, at: path, in: 64...Int(UInt32.max))
        }
    }

    private mutating func readAuth(_ value: JSONValue) throws(BrokerConfigurationError) {
        let entries: [(JSONValue, String)]
        switch value {
        case .array(let items): entries = items.enumerated().map { ($1, "auth[\($0)]") }
        case .object: entries = [(value, "auth")]
        default: throw .invalidValue(source: source, key: "auth", expected: "a list of authentication strategies")
        }
        var strategies: [DeepstreamAuthenticationStrategy] = []
        for (entry, prefix) in entries {
            let (type, options) = try pluginEntry(entry, at: prefix, kind: "authentication")
            switch type {
            case "none":
                for (key, _) in options where key != "reportInvalidParameters" {
                    throw .unknownKey(source: source, key: "\(prefix).options.\(key)")
                }
                strategies.append(.open)
            case "file":
                strategies.append(.file(try fileAuthentication(options, prefix: "\(prefix).options", chained: entries.count > 1)))
            case "http", "storage":
                throw .invalidValue(
                    source: source, key: "\(prefix).type",
                    expected: "none or file (\(type ?? "") authentication is not supported by the embedded broker)")
            default:
                throw .invalidValue(source: source, key: "\(prefix).type", expected: "none or file")
            }
        }
        configuration.authentication = strategies == [.open] ? .open : .chain(strategies)
    }

    private func fileAuthentication(
        _ options: JSONObject, prefix: String, chained: Bool
    ) throws(BrokerConfigurationError) -> DeepstreamFileAuthentication {
        var usersValue: JSONValue?
        var hashName: String?
        var iterations: Int?
        var keyLength: Int?
        var report: Bool?
        for (key, member) in options {
            let path = "\(prefix).\(key)"
            switch key {
            case "users": usersValue = member
            case "path":
                throw .invalidValue(source: source, key: path, expected: "absent: write users: fileLoad(\(member.stringValue ?? "users.yml"))")
            case "hash":
                if member == .bool(false) { hashName = nil } else { hashName = try string(member, at: path) }
            case "iterations": iterations = try integer(member, at: path, in: 1...100_000_000)
            case "keyLength": keyLength = try integer(member, at: path, in: 1...1024)
            case "reportInvalidParameters": report = try bool(member, at: path)
            default: throw .unknownKey(source: source, key: path)
            }
        }
        var hash: DeepstreamFileAuthentication.HashSettings?
        if let hashName {
            guard let iterations else { throw .invalidValue(source: source, key: "\(prefix).iterations", expected: "set when hash is set") }
            guard let keyLength else { throw .invalidValue(source: source, key: "\(prefix).keyLength", expected: "set when hash is set") }
            guard let settings = DeepstreamFileAuthentication.HashSettings(
                algorithm: hashName, iterations: iterations, keyLength: keyLength)
            else {
                throw .invalidValue(
                    source: source, key: "\(prefix).hash",
                    expected: "one of \(DeepstreamFileAuthentication.HashSettings.supportedAlgorithms.joined(separator: ", "))")
            }
            hash = settings
        }
        guard let usersValue, case .object(let table) = usersValue else {
            throw .invalidValue(source: source, key: "\(prefix).users", expected: "a mapping of users (e.g. fileLoad(users.yml))")
        }
        guard table.count > 0 else { throw .invalidValue(source: source, key: "\(prefix).users", expected: "not empty") }
        var users: [String: DeepstreamFileAuthentication.User] = [:]
        for (name, entry) in table {
            let path = "\(prefix).users.\(name)"
            let fields = try object(entry, at: path)
            var user = DeepstreamFileAuthentication.User(password: "")
            var hasPassword = false
            for (key, member) in fields {
                switch key {
                case "password":
                    user.password = try string(member, at: "\(path).password")
                    hasPassword = true
                case "serverData": user.serverData = member
                case "clientData": user.clientData = member
                default: throw .unknownKey(source: source, key: "\(path).\(key)")
                }
            }
            guard hasPassword else { throw .invalidValue(source: source, key: "\(path).password", expected: "present") }
            if let hash, user.password.utf8.count <= hash.base64KeyLength {
                throw .invalidValue(
                    source: source, key: "\(path).password",
                    expected: "a hash made by `deepstream hash` with these settings (key + salt)")
            }
            users[name] = user
        }
        return DeepstreamFileAuthentication(users: users, hash: hash, reportInvalidParameters: report ?? !chained)
    }

    /// The `type` and `options` of an `auth` entry or of `permission` (deepstream's plugin shape);
    /// `name`/`path` (a custom plugin) and unknown keys are refused.
    private func pluginEntry(
        _ value: JSONValue, at prefix: String, kind: String
    ) throws(BrokerConfigurationError) -> (type: String?, options: JSONObject) {
        var type: String?
        var options = JSONObject()
        for (key, member) in try object(value, at: prefix) {
            switch key {
            case "type": type = try string(member, at: "\(prefix).type")
            case "options": if member != .null { options = try object(member, at: "\(prefix).options") }
            case "name", "path":
                throw .invalidValue(source: source, key: "\(prefix).\(key)", expected: "absent (\(kind) plugins are not supported)")
            default: throw .unknownKey(source: source, key: "\(prefix).\(key)")
            }
        }
        return (type, options)
    }

    private mutating func readPermission(_ value: JSONValue) throws(BrokerConfigurationError) {
        let (type, options) = try pluginEntry(value, at: "permission", kind: "permission")
        var rules: JSONValue?
        for (key, member) in options {
            let path = "permission.options.\(key)"
            switch key {
            case "permissions": rules = member
            case "path":
                throw .invalidValue(source: source, key: path, expected: "absent: write permissions: fileLoad(\(member.stringValue ?? "permissions.yml"))")
            case "maxRuleIterations": _ = try integer(member, at: path, in: 1...1000)
            case "cacheEvacuationInterval":
                _ = try integer(member, at: path, in: 1...Int(Int32.max))
                ignored.append(path)
            default: throw .unknownKey(source: source, key: path)
            }
        }
        switch type {
        case "none":
            configuration.permissions = nil
        case "config":
            guard let rules else {
                throw .invalidValue(source: source, key: "permission.options.permissions", expected: "the rules (e.g. fileLoad(permissions.yml))")
            }
            configuration.permissions = try RPCPermissions.parse(rules, source: "\(source): permission.options.permissions")
        default:
            throw .invalidValue(source: source, key: "permission.type", expected: "config or none")
        }
    }

    // MARK: Values

    private func object(_ value: JSONValue, at key: String) throws(BrokerConfigurationError) -> JSONObject {
        guard case .object(let o) = value else { throw .invalidValue(source: source, key: key, expected: "a mapping") }
        return o
    }

    private func string(_ value: JSONValue, at key: String) throws(BrokerConfigurationError) -> String {
        guard case .string(let s) = value, !s.isEmpty else {
            throw .invalidValue(source: source, key: key, expected: "a non-empty string")
        }
        return s
    }

    private func bool(_ value: JSONValue, at key: String) throws(BrokerConfigurationError) -> Bool {
        guard case .bool(let b) = value else { throw .invalidValue(source: source, key: key, expected: "true or false") }
        return b
    }

    private func integer(_ value: JSONValue, at key: String, in range: ClosedRange<Int>) throws(BrokerConfigurationError) -> Int {
        guard let n = value.intValue, range.contains(n) else {
            throw .invalidValue(source: source, key: key, expected: "an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return n
    }

    private func milliseconds(_ value: JSONValue, at key: String) throws(BrokerConfigurationError) -> Duration {
        .milliseconds(try integer(value, at: key, in: 1...86_400_000))
    }
}
