/// The envelope's `topic` (general.proto `TOPIC`).
///
/// A struct rather than an enum so that a number we do not name still round-trips unchanged.
public struct Topic: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The number on the wire.
    public var rawValue: Int32
    /// Creates a topic from its wire number.
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// `UNKNOWN` (0).
    public static let unknown = Topic(rawValue: 0)
    /// `PARSER` (1): replies about frames the peer could not parse or route.
    public static let parser = Topic(rawValue: 1)
    /// `CONNECTION` (2): challenge, accept, heartbeats.
    public static let connection = Topic(rawValue: 2)
    /// `AUTH` (3): login.
    public static let auth = Topic(rawValue: 3)
    /// `EVENT` (4).
    public static let event = Topic(rawValue: 4)
    /// `RECORD` (5).
    public static let record = Topic(rawValue: 5)
    /// `RPC` (6).
    public static let rpc = Topic(rawValue: 6)
    /// `PRESENCE` (7).
    public static let presence = Topic(rawValue: 7)
    /// `MONITORING` (8).
    public static let monitoring = Topic(rawValue: 8)
    /// `CLUSTER` (9).
    public static let cluster = Topic(rawValue: 9)
    /// `LOCK` (10).
    public static let lock = Topic(rawValue: 10)
    /// `STATE_REGISTRY` (11).
    public static let stateRegistry = Topic(rawValue: 11)
    /// `ERROR` (100).
    public static let error = Topic(rawValue: 100)

    /// Every topic number listed in general.proto, by name.
    public static let allKnown: [Topic] = [
        .unknown, .parser, .connection, .auth, .event, .record, .rpc, .presence, .monitoring, .cluster, .lock,
        .stateRegistry, .error,
    ]

    /// Whether this project decodes the topic into a typed message (CONNECTION, AUTH, RPC, PARSER).
    public var isModelled: Bool { self == .connection || self == .auth || self == .rpc || self == .parser }

    /// Whether general.proto lists this number.
    public var isKnown: Bool { Topic.allKnown.contains(self) }

    /// The protocol's name for the topic (`RPC`), or the number for one the schema does not list.
    public var name: String {
        switch rawValue {
        case 0: "UNKNOWN"
        case 1: "PARSER"
        case 2: "CONNECTION"
        case 3: "AUTH"
        case 4: "EVENT"
        case 5: "RECORD"
        case 6: "RPC"
        case 7: "PRESENCE"
        case 8: "MONITORING"
        case 9: "CLUSTER"
        case 10: "LOCK"
        case 11: "STATE_REGISTRY"
        case 100: "ERROR"
        default: "TOPIC_\(rawValue)"
        }
    }

    /// Same as ``name``.
    public var description: String { name }
}
