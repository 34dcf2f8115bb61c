/// One deepstream message: the envelope's topic with its typed body.
///
/// Topics this project does not model (EVENT, RECORD, PRESENCE, …) keep their inner bytes in
/// ``other(topic:payload:)`` so they can be shown and forwarded, never silently dropped.
public enum Message: Hashable, Sendable {
    /// Topic CONNECTION.
    case connection(ConnectionMessage)
    /// Topic AUTH.
    case auth(AuthMessage)
    /// Topic RPC.
    case rpc(RPCMessage)
    /// Topic PARSER.
    case parser(ParserMessage)
    /// Any other topic: the inner message exactly as received (protobuf bytes for ws-binary, JSON text
    /// bytes for ws-json).
    case other(topic: Topic, payload: [UInt8])

    /// The envelope topic.
    public var topic: Topic {
        switch self {
        case .connection: .connection
        case .auth: .auth
        case .rpc: .rpc
        case .parser: .parser
        case .other(let topic, _): topic
        }
    }

    /// The action's number (`nil` for ``other(topic:payload:)``).
    public var actionNumber: Int32? {
        switch self {
        case .connection(let m): m.action.rawValue
        case .auth(let m): m.action.rawValue
        case .rpc(let m): m.action.rawValue
        case .parser(let m): m.action.rawValue
        case .other: nil
        }
    }

    /// `TOPIC ACTION`, as the captures and logs print it (`RPC REQUEST`).
    public var summary: String {
        switch self {
        case .connection(let m): "CONNECTION \(m.action.name)"
        case .auth(let m): "AUTH \(m.action.name)"
        case .rpc(let m): "RPC \(m.action.name)" + (m.isAck == true ? " (ack)" : "")
        case .parser(let m): "PARSER \(m.action.name)"
        case .other(let topic, let payload): "\(topic.name) (\(payload.count) bytes, not decoded)"
        }
    }
}

extension Message {
    /// `CONNECTION/PING`, sent by the client every heartbeat interval.
    public static let ping = Message.connection(ConnectionMessage(action: .ping))
    /// `CONNECTION/PONG`, the server's answer to a ping after login.
    public static let pong = Message.connection(ConnectionMessage(action: .pong))
    /// `CONNECTION/ACCEPT`, the server's answer to a challenge.
    public static let accept = Message.connection(ConnectionMessage(action: .accept))
}
