import DeepstreamProtocol
import EventLoopPacing
import Foundation
import RPCSteering

/// Everything the embedded broker can be told, with the reference server's defaults except where
/// docs/broker.md says otherwise (bind address 127.0.0.1 instead of 0.0.0.0).
public struct BrokerConfiguration: Sendable {
    /// RPC routing settings (the reference server's `rpc` section).
    public struct RPC: Sendable, Hashable {
        /// Time a provider has to ACCEPT a call after it was routed to it (reference: 1000 ms).
        public var ackTimeout: Duration = .milliseconds(1000)
        /// Time a provider has to RESPONSE after the call was routed to it (reference: 10000 ms).
        public var responseTimeout: Duration = .milliseconds(10000)
        /// Forward the requestor's user id as `requestorName` (field 10).
        public var provideRequestorName = false
        /// Forward the requestor's clientData as `requestorData` (field 11).
        public var provideRequestorData = false

        /// Creates the default RPC settings.
        public init() {}
    }

    /// Address to bind (default 127.0.0.1: the console is a local tool).
    public var host = "127.0.0.1"
    /// Port to bind; 0 picks an ephemeral port.
    public var port = 6020
    /// RPC routing settings.
    public var rpc = RPC()
    /// Largest WebSocket message accepted, in bytes; larger ones close the socket with code 1009.
    public var maxMessageSize = BinaryCodec.defaultMaximumMessageSize
    /// The clients' ping period; a connection silent for twice this long is dropped.
    public var heartbeatInterval: Duration = .milliseconds(30000)
    /// Time a connection has to log in (`nil`: no limit).
    public var unauthenticatedClientTimeout: Duration? = .milliseconds(180_000)
    /// Failed logins after which the connection gets TOO_MANY_AUTH_ATTEMPTS and is closed.
    public var maxAuthAttempts = 3
    /// Who may log in.
    public var authentication: Authentication = .open
    /// Connections accepted at once; more are closed right after the TCP accept.
    public var maxConnections = 4096
    /// Bytes that may wait in one connection's outgoing buffer before it is dropped as too slow.
    public var maxOutboundBufferSize = 16 * 1024 * 1024
    /// How long a graceful shutdown waits for in-flight calls before failing them.
    public var shutdownGracePeriod: Duration = .milliseconds(2000)
    /// Who may provide and request which RPC (deepstream's Valve `rpc` rules); `nil` allows everything.
    public var permissions: RPCPermissions?
    /// Steering rules applied to every call (docs/rules.md); empty by default. Set from `--rules FILE`.
    public var steering = SteeringRules()
    /// The WebSocket endpoints: URL path → wire format.
    public var webSocketPaths: [String: WireFormat] = ["/deepstream": .binary, "/deepstream-json": .json]
    /// The path answering `GET` with 200 OK.
    public var healthCheckPath = "/health-check"
    /// How long the broker's event loop keeps polling its sockets after input before it blocks
    /// (`--busy-poll`; docs/broker.md, "Busy-poll"). Zero, the default, never polls; up to
    /// `BusyPollPolicy.maximumMicroseconds` (10 ms). Trades CPU right after each input for the wake-up
    /// of a halted CPU when the next message arrives within the window.
    public var busyPollWindow: Duration = .zero
    /// How long the broker's event loop naps after a read batch while messages arrive at
    /// `ReadCoalescingPolicy.defaultEngagementRate` per second or more (`--coalesce-reads`; docs/broker.md,
    /// "Read coalescing"). Zero, the default, never naps; up to `ReadCoalescingPolicy.maximumMicroseconds`.
    /// Trades up to one nap of latency per hop for fewer wake-ups (less CPU) under sustained traffic. Not
    /// together with ``busyPollWindow``: the two pull opposite ways, and `Broker.start()` refuses both.
    public var readCoalescingNap: Duration = .zero
    /// Whether a busy-poll or read coalescing that cannot be set up (the event loop's epoll descriptor
    /// not found) stops `Broker.start()` (true, the default) or is logged as a warning and skipped
    /// (false: a command's default — `serve`'s window, the console's nap — which nobody asked for).
    public var pacingRequired = true
    /// Messages per second from which read coalescing naps; tests lower it so that a slow machine still engages it.
    package var readCoalescingEngagementRate = ReadCoalescingPolicy.defaultEngagementRate
    /// Settings read from a deepstream configuration that the broker accepts but does not act on
    /// (`record.*`, `telemetry.*`, …), for a single warning at start-up.
    public var ignoredSettings: [String] = []

    /// Creates the default configuration.
    public init() {}

    /// The WebSocket path serving `format` (the first in order when several do), if any.
    public func webSocketPath(for format: WireFormat) -> String? {
        webSocketPaths.filter { $0.value == format }.keys.sorted().first
    }

    /// The one-line warning listing ``ignoredSettings``, or nil when there are none.
    public var ignoredSettingsWarning: String? {
        ignoredSettings.isEmpty ? nil : "ignored (the embedded broker has no such feature): \(ignoredSettings.joined(separator: ", "))"
    }

    /// Reads a configuration file: deepstream 10's own `config.yml` (`.yml`/`.yaml`, with `${NAME}`
    /// taken from `environment` and `fileLoad(…)` files read relative to it), or our JSON format
    /// (docs/broker.md), whose users file named by `auth.users` is resolved relative to it and loaded too.
    public static func load(
        fromFile path: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(BrokerConfigurationError) -> BrokerConfiguration {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        if path.hasSuffix(".yml") || path.hasSuffix(".yaml") {
            return try loadDeepstream(fromFile: path, environment: environment)
        }
        return try parse(readJSONFile(path), source: path, relativeTo: directory)
    }

    /// Reads deepstream 10's YAML configuration (`conf/config.yml`; docs/broker.md says what is used).
    public static func loadDeepstream(
        fromFile path: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(BrokerConfigurationError) -> BrokerConfiguration {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let yaml = DeepstreamYAML(environment: environment, directory: directory)
        var reader = DeepstreamConfigurationReader(source: path)
        return try reader.read(yaml.load(path))
    }

    /// Reads and parses a JSON file (configuration or users), with errors naming the file.
    static func readJSONFile(_ path: String) throws(BrokerConfigurationError) -> JSONValue {
        guard FileManager.default.fileExists(atPath: path) else {
            throw .unreadableFile(path: path, reason: "no such file")
        }
        let bytes: [UInt8]
        do {
            bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw .unreadableFile(path: path, reason: describe(error))
        }
        do { return try JSONValue(parsing: bytes) } catch { throw .invalidJSON(path: path, reason: error.description) }
    }

    /// Builds a configuration from the JSON value of a configuration file. Unknown keys are errors
    /// so that a misspelt setting cannot silently keep its default.
    public static func parse(
        _ json: JSONValue, source: String = "configuration", relativeTo directory: String = "."
    ) throws(BrokerConfigurationError) -> BrokerConfiguration {
        var config = BrokerConfiguration()
        let root = try object(json, at: "", source: source)
        for (key, value) in root {
            switch key {
            case "host": config.host = try string(value, at: key, source: source)
            case "port": config.port = try integer(value, at: key, in: 0...65535, source: source)
            case "maxMessageSize":
                config.maxMessageSize = try integer(value, at: key, in: 64...(Int(UInt32.max)), source: source)
            case "heartbeatInterval": config.heartbeatInterval = try milliseconds(value, at: key, source: source)
            case "unauthenticatedClientTimeout":
                if value == .null || value == .bool(false) {
                    config.unauthenticatedClientTimeout = nil
                } else {
                    config.unauthenticatedClientTimeout = try milliseconds(value, at: key, source: source)
                }
            case "maxAuthAttempts": config.maxAuthAttempts = try integer(value, at: key, in: 1...1_000_000, source: source)
            case "maxConnections": config.maxConnections = try integer(value, at: key, in: 1...1_000_000, source: source)
            case "maxOutboundBufferSize":
                config.maxOutboundBufferSize = try integer(value, at: key, in: 1024...(1 << 40), source: source)
            case "shutdownGracePeriod": config.shutdownGracePeriod = try milliseconds(value, at: key, source: source)
            case "rpc":
                for (rpcKey, rpcValue) in try object(value, at: key, source: source) {
                    let path = "rpc.\(rpcKey)"
                    switch rpcKey {
                    case "ackTimeout": config.rpc.ackTimeout = try milliseconds(rpcValue, at: path, source: source)
                    case "responseTimeout":
                        config.rpc.responseTimeout = try milliseconds(rpcValue, at: path, source: source)
                    case "provideRequestorName":
                        config.rpc.provideRequestorName = try bool(rpcValue, at: path, source: source)
                    case "provideRequestorData":
                        config.rpc.provideRequestorData = try bool(rpcValue, at: path, source: source)
                    default: throw .unknownKey(source: source, key: path)
                    }
                }
            case "auth":
                config.authentication = try authentication(value, source: source, relativeTo: directory)
            case "permissions":
                // A deepstream Valve permissions file (YAML or JSON), relative to this file.
                let file = try string(value, at: key, source: source)
                let resolved = file.hasPrefix("/") ? file : directory + "/" + file
                let yaml = DeepstreamYAML(environment: ProcessInfo.processInfo.environment, directory: directory)
                let rules = try yaml.parse(yaml.substitute(DeepstreamYAML.read(resolved)), path: resolved)
                config.permissions = try RPCPermissions.parse(rules, source: resolved)
            default: throw .unknownKey(source: source, key: key)
            }
        }
        return config
    }

    private static func authentication(
        _ value: JSONValue, source: String, relativeTo directory: String
    ) throws(BrokerConfigurationError) -> Authentication {
        if case .string(let text) = value, text == "none" { return .open }
        let auth = try object(value, at: "auth", source: source)
        var type: String?
        var usersPath: String?
        for (key, member) in auth {
            switch key {
            case "type": type = try string(member, at: "auth.type", source: source)
            case "users": usersPath = try string(member, at: "auth.users", source: source)
            default: throw .unknownKey(source: source, key: "auth.\(key)")
            }
        }
        switch type ?? (usersPath == nil ? "none" : "file") {
        case "none":
            return .open
        case "file":
            guard let usersPath else {
                throw .invalidValue(source: source, key: "auth.users", expected: "the path of a users file")
            }
            let resolved = usersPath.hasPrefix("/") ? usersPath : directory + "/" + usersPath
            do { return .users(try UsersFile.load(fromFile: resolved)) } catch {
                throw .usersFile(error)
            }
        default:
            throw .invalidValue(source: source, key: "auth.type", expected: "\"none\" or \"file\"")
        }
    }

    private static func object(
        _ value: JSONValue, at key: String, source: String
    ) throws(BrokerConfigurationError) -> JSONObject {
        guard case .object(let o) = value else {
            throw .invalidValue(source: source, key: key.isEmpty ? "(top level)" : key, expected: "a JSON object")
        }
        return o
    }

    private static func string(_ value: JSONValue, at key: String, source: String) throws(BrokerConfigurationError) -> String {
        guard case .string(let s) = value else { throw .invalidValue(source: source, key: key, expected: "a string") }
        return s
    }

    private static func bool(_ value: JSONValue, at key: String, source: String) throws(BrokerConfigurationError) -> Bool {
        guard case .bool(let b) = value else { throw .invalidValue(source: source, key: key, expected: "true or false") }
        return b
    }

    private static func integer(
        _ value: JSONValue, at key: String, in range: ClosedRange<Int>, source: String
    ) throws(BrokerConfigurationError) -> Int {
        guard let n = value.intValue, range.contains(n) else {
            throw .invalidValue(
                source: source, key: key, expected: "an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return n
    }

    private static func milliseconds(
        _ value: JSONValue, at key: String, source: String
    ) throws(BrokerConfigurationError) -> Duration {
        guard let n = value.intValue, n > 0, n <= 86_400_000 else {
            throw .invalidValue(source: source, key: key, expected: "milliseconds from 1 to 86400000")
        }
        return .milliseconds(n)
    }

    static func describe(_ error: any Error) -> String {
        if let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError {
            return underlying.localizedDescription
        }
        return error.localizedDescription
    }
}
