/// A per-topic action number with a protocol name.
///
/// Actions are structs, not enums, so that a number the schema does not list decodes, is shown and
/// re-encodes unchanged instead of failing the whole frame.
public protocol ProtocolAction: RawRepresentable, Hashable, Sendable, CustomStringConvertible
where RawValue == Int32 {
    /// The names this action type knows, by number, without the `.proto` prefix (`REQUEST`).
    static var names: [Int32: String] { get }
}

extension ProtocolAction {
    /// The protocol's name for the action (`NO_RPC_PROVIDER`), or `UNKNOWN_ACTION_<n>`.
    public var name: String { Self.names[rawValue] ?? "UNKNOWN_ACTION_\(rawValue)" }
    /// Same as ``name``.
    public var description: String { name }
    /// Whether the schema lists this number.
    public var isKnown: Bool { Self.names[rawValue] != nil }
}

/// `CONNECTION_ACTION` of connection.proto.
public struct ConnectionAction: ProtocolAction {
    /// The number on the wire.
    public var rawValue: Int32
    /// Creates an action from its wire number.
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// `UNKNOWN` (0).
    public static let unknown = Self(rawValue: 0)
    /// `ERROR` (1).
    public static let error = Self(rawValue: 1)
    /// `PING` (2): client heartbeat.
    public static let ping = Self(rawValue: 2)
    /// `PONG` (3): server's answer to a ping after login.
    public static let pong = Self(rawValue: 3)
    /// `ACCEPT` (4): the server accepts the challenge.
    public static let accept = Self(rawValue: 4)
    /// `CHALLENGE` (5): the client's first message.
    public static let challenge = Self(rawValue: 5)
    /// `REJECT` (6).
    public static let reject = Self(rawValue: 6)
    /// `REDIRECT` (7).
    public static let redirect = Self(rawValue: 7)
    /// `CLOSING` (8).
    public static let closing = Self(rawValue: 8)
    /// `CLOSED` (9).
    public static let closed = Self(rawValue: 9)
    /// `AUTHENTICATION_TIMEOUT` (100).
    public static let authenticationTimeout = Self(rawValue: 100)
    /// `INVALID_MESSAGE` (101).
    public static let invalidMessage = Self(rawValue: 101)

    /// See ``ProtocolAction/names``.
    public static let names: [Int32: String] = [
        0: "UNKNOWN", 1: "ERROR", 2: "PING", 3: "PONG", 4: "ACCEPT", 5: "CHALLENGE", 6: "REJECT", 7: "REDIRECT",
        8: "CLOSING", 9: "CLOSED", 100: "AUTHENTICATION_TIMEOUT", 101: "INVALID_MESSAGE",
    ]
}

/// `AUTH_ACTION` of auth.proto.
public struct AuthAction: ProtocolAction {
    /// The number on the wire.
    public var rawValue: Int32
    /// Creates an action from its wire number.
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// `UNKNOWN` (0).
    public static let unknown = Self(rawValue: 0)
    /// `ERROR` (1).
    public static let error = Self(rawValue: 1)
    /// `REQUEST` (2): login with JSON auth data.
    public static let request = Self(rawValue: 2)
    /// `AUTH_SUCCESSFUL` (3).
    public static let authSuccessful = Self(rawValue: 3)
    /// `AUTH_UNSUCCESSFUL` (4).
    public static let authUnsuccessful = Self(rawValue: 4)
    /// `TOO_MANY_AUTH_ATTEMPTS` (100).
    public static let tooManyAuthAttempts = Self(rawValue: 100)
    /// `INVALID_MESSAGE` (101).
    public static let invalidMessage = Self(rawValue: 101)
    /// `INVALID_MESSAGE_DATA` (102).
    public static let invalidMessageData = Self(rawValue: 102)

    /// See ``ProtocolAction/names``.
    public static let names: [Int32: String] = [
        0: "UNKNOWN", 1: "ERROR", 2: "REQUEST", 3: "AUTH_SUCCESSFUL", 4: "AUTH_UNSUCCESSFUL",
        100: "TOO_MANY_AUTH_ATTEMPTS", 101: "INVALID_MESSAGE", 102: "INVALID_MESSAGE_DATA",
    ]
}

/// `RPC_ACTION` of rpc.proto.
public struct RPCAction: ProtocolAction {
    /// The number on the wire.
    public var rawValue: Int32
    /// Creates an action from its wire number.
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// `UNKNOWN` (0).
    public static let unknown = Self(rawValue: 0)
    /// `ERROR` (1).
    public static let error = Self(rawValue: 1)
    /// `REQUEST` (2): requestor asks for a call; also the server's forward to the provider.
    public static let request = Self(rawValue: 2)
    /// `ACCEPT` (4): the provider takes the call.
    public static let accept = Self(rawValue: 4)
    /// `RESPONSE` (5): the provider's result.
    public static let response = Self(rawValue: 5)
    /// `REJECT` (6): the provider declines; the server reroutes.
    public static let reject = Self(rawValue: 6)
    /// `REQUEST_ERROR` (7): the provider's error value.
    public static let requestError = Self(rawValue: 7)
    /// `PROVIDE` (8): register names (bulk, in `names`).
    public static let provide = Self(rawValue: 8)
    /// `UNPROVIDE` (9): unregister names.
    public static let unprovide = Self(rawValue: 9)
    /// `NO_RPC_PROVIDER` (100).
    public static let noRPCProvider = Self(rawValue: 100)
    /// `ACCEPT_TIMEOUT` (101).
    public static let acceptTimeout = Self(rawValue: 101)
    /// `MULTIPLE_ACCEPT` (102).
    public static let multipleAccept = Self(rawValue: 102)
    /// `INVALID_RPC_CORRELATION_ID` (103).
    public static let invalidRPCCorrelationID = Self(rawValue: 103)
    /// `RESPONSE_TIMEOUT` (104).
    public static let responseTimeout = Self(rawValue: 104)
    /// `MULTIPLE_RESPONSE` (105).
    public static let multipleResponse = Self(rawValue: 105)
    /// `MESSAGE_PERMISSION_ERROR` (106).
    public static let messagePermissionError = Self(rawValue: 106)
    /// `MESSAGE_DENIED` (107).
    public static let messageDenied = Self(rawValue: 107)
    /// `INVALID_MESSAGE_DATA` (108).
    public static let invalidMessageData = Self(rawValue: 108)
    /// `MULTIPLE_PROVIDERS` (109).
    public static let multipleProviders = Self(rawValue: 109)
    /// `NOT_PROVIDED` (110).
    public static let notProvided = Self(rawValue: 110)

    /// See ``ProtocolAction/names``.
    public static let names: [Int32: String] = [
        0: "UNKNOWN", 1: "ERROR", 2: "REQUEST", 4: "ACCEPT", 5: "RESPONSE", 6: "REJECT", 7: "REQUEST_ERROR",
        8: "PROVIDE", 9: "UNPROVIDE", 100: "NO_RPC_PROVIDER", 101: "ACCEPT_TIMEOUT", 102: "MULTIPLE_ACCEPT",
        103: "INVALID_RPC_CORRELATION_ID", 104: "RESPONSE_TIMEOUT", 105: "MULTIPLE_RESPONSE",
        106: "MESSAGE_PERMISSION_ERROR", 107: "MESSAGE_DENIED", 108: "INVALID_MESSAGE_DATA",
        109: "MULTIPLE_PROVIDERS", 110: "NOT_PROVIDED",
    ]
}

/// `PARSER_ACTION` of parser.proto.
public struct ParserAction: ProtocolAction {
    /// The number on the wire.
    public var rawValue: Int32
    /// Creates an action from its wire number.
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// `UNKNOWN` (0).
    public static let unknown = Self(rawValue: 0)
    /// `UNKNOWN_TOPIC` (1): the server does not serve the message's topic.
    public static let unknownTopic = Self(rawValue: 1)
    /// `UNKNOWN_ACTION` (2).
    public static let unknownAction = Self(rawValue: 2)
    /// `INVALID_MESSAGE` (3).
    public static let invalidMessage = Self(rawValue: 3)
    /// `MESSAGE_PARSE_ERROR` (4).
    public static let messageParseError = Self(rawValue: 4)
    /// `MAXIMUM_MESSAGE_SIZE_EXCEEDED` (5).
    public static let maximumMessageSizeExceeded = Self(rawValue: 5)
    /// `ERROR` (6).
    public static let error = Self(rawValue: 6)
    /// `INVALID_META_PARAMS` (7).
    public static let invalidMetaParams = Self(rawValue: 7)

    /// See ``ProtocolAction/names``.
    public static let names: [Int32: String] = [
        0: "UNKNOWN", 1: "UNKNOWN_TOPIC", 2: "UNKNOWN_ACTION", 3: "INVALID_MESSAGE", 4: "MESSAGE_PARSE_ERROR",
        5: "MAXIMUM_MESSAGE_SIZE_EXCEEDED", 6: "ERROR", 7: "INVALID_META_PARAMS",
    ]
}
