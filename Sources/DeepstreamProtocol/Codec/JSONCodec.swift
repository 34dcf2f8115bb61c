/// The `ws-json` wire format: one JSON object per WebSocket text frame, with numeric `topic` and
/// `action` and the TypeScript field names (`correlationId`, `originalAction`, …).
///
/// Decoding also takes the shapes the reference server and the JS client produce: `parsedData` (a raw
/// JSON value) where `data` is absent, and a non-string `requestorData`. Encoding always writes `data`
/// as JSON text and keeps `isAck` on acknowledgements (the reference server drops it; see
/// docs/protocol.md).
public struct JSONCodec: Sendable {
    /// Frames larger than this (in UTF-8 bytes) are refused without being parsed.
    public var maximumMessageSize: Int

    /// Creates a codec with a frame size limit.
    public init(maximumMessageSize: Int = BinaryCodec.defaultMaximumMessageSize) {
        self.maximumMessageSize = maximumMessageSize
    }

    // MARK: Encoding

    /// Encodes one message as the text of a ws-json frame.
    public func encode(_ message: Message) -> String {
        Self.object(for: message).jsonText
    }

    /// The JSON object for one message, fields in schema order.
    public static func object(for message: Message) -> JSONValue {
        var o = JSONObject()
        o["topic"] = .int(Int(message.topic.rawValue))
        func put(_ key: String, _ value: String?) { if let value { o[key] = .string(value) } }
        func put(_ key: String, _ value: Bool?) { if let value { o[key] = .bool(value) } }
        func put(_ key: String, _ value: Int32?) { if let value { o[key] = .int(Int(value)) } }
        switch message {
        case .connection(let m):
            put("action", m.action.rawValue)
            put("data", m.data)
            put("isError", m.isError)
            put("isAck", m.isAck)
            put("url", m.url)
            put("protocolVersion", m.protocolVersion)
            put("sdkVersion", m.sdkVersion)
            put("sdkType", m.sdkType)
        case .auth(let m):
            put("action", m.action.rawValue)
            put("data", m.data)
            put("isError", m.isError)
            put("isAck", m.isAck)
        case .rpc(let m):
            put("action", m.action.rawValue)
            put("data", m.data)
            put("correlationId", m.correlationId)
            put("isError", m.isError)
            put("isAck", m.isAck)
            if !m.names.isEmpty { o["names"] = .array(m.names.map(JSONValue.string)) }
            put("name", m.name)
            put("originalAction", m.originalAction?.rawValue)
            put("requestorName", m.requestorName)
            put("requestorData", m.requestorData)
        case .parser(let m):
            put("action", m.action.rawValue)
            put("data", m.data)
            put("originalTopic", m.originalTopic?.rawValue)
            put("originalAction", m.originalAction)
        case .other(_, let payload):
            // The payload of a ws-json `other` message is the original object's text: merge it back.
            if case .object(let original)? = try? JSONValue(parsing: payload) {
                for member in original where member.key != "topic" { o[member.key] = member.value }
            }
        }
        return .object(o)
    }

    // MARK: Decoding

    /// Decodes the text of one ws-json frame.
    public func decode(_ text: String) throws(ProtocolError) -> Message {
        try decode(Array(text.utf8))
    }

    /// Decodes one ws-json frame from its UTF-8 bytes.
    public func decode(_ bytes: [UInt8]) throws(ProtocolError) -> Message {
        guard !bytes.isEmpty else { throw .emptyFrame }
        guard bytes.count <= maximumMessageSize else {
            throw .messageTooLarge(size: bytes.count, limit: maximumMessageSize)
        }
        let value: JSONValue
        let raw: [String: String]
        do { (value, raw) = try JSONValue.parsing(bytes, keepingRaw: Self.payloadKeys) } catch { throw .invalidJSON(error) }
        guard case .object(let o) = value else { throw .invalidJSONMessage("the frame is not a JSON object") }
        let topicNumber = try Self.integer(o, "topic") ?? 0
        let topic = Topic(rawValue: topicNumber)
        guard topic.isKnown else { throw .unknownTopic(UInt64(bitPattern: Int64(topicNumber))) }
        let action = try Self.integer(o, "action") ?? 0
        switch topic {
        case .connection:
            return .connection(ConnectionMessage(
                action: ConnectionAction(rawValue: action), data: Self.data(o, raw),
                isError: try Self.bool(o, "isError"), isAck: try Self.bool(o, "isAck"),
                url: try Self.string(o, "url"), protocolVersion: try Self.string(o, "protocolVersion"),
                sdkVersion: try Self.string(o, "sdkVersion"), sdkType: try Self.string(o, "sdkType")))
        case .auth:
            return .auth(AuthMessage(
                action: AuthAction(rawValue: action), data: Self.data(o, raw),
                isError: try Self.bool(o, "isError"), isAck: try Self.bool(o, "isAck")))
        case .rpc:
            var names: [String] = []
            if let list = o["names"] {
                guard case .array(let elements) = list else { throw .invalidJSONMessage("`names` is not an array") }
                for element in elements {
                    guard case .string(let name) = element else {
                        throw .invalidJSONMessage("`names` holds a non-string")
                    }
                    names.append(name)
                }
            }
            return .rpc(RPCMessage(
                action: RPCAction(rawValue: action), data: Self.data(o, raw),
                correlationId: try Self.string(o, "correlationId"), isError: try Self.bool(o, "isError"),
                isAck: try Self.bool(o, "isAck"), names: names, name: try Self.string(o, "name"),
                originalAction: try Self.integer(o, "originalAction").map(RPCAction.init(rawValue:)),
                requestorName: try Self.string(o, "requestorName"),
                requestorData: raw["requestorData"] ?? o["requestorData"].map(Self.jsonTextUnlessString)))
        case .parser:
            return .parser(ParserMessage(
                action: ParserAction(rawValue: action), data: Self.data(o, raw),
                originalTopic: try Self.integer(o, "originalTopic").map(Topic.init(rawValue:)),
                originalAction: try Self.integer(o, "originalAction")))
        default:
            return .other(topic: topic, payload: bytes)
        }
    }

    /// Members that carry JSON payloads: the codec only forwards their text, so a non-string value
    /// is validated and kept as (whitespace-free) text instead of being built and written again.
    private static let payloadKeys: Set<String> = ["data", "parsedData", "requestorData"]

    /// `data` as JSON text: a string is taken verbatim (it already is JSON text); otherwise a raw
    /// `parsedData` value (or a raw non-string `data`) is used as written, without whitespace.
    private static func data(_ o: JSONObject, _ raw: [String: String]) -> String? {
        if let text = raw["data"] { return text }
        if let data = o["data"] { return jsonTextUnlessString(data) }
        if let text = raw["parsedData"] { return text }
        return o["parsedData"].map(\.jsonText)
    }

    private static func jsonTextUnlessString(_ value: JSONValue) -> String {
        if case .string(let s) = value { return s }
        return value.jsonText
    }

    private static func string(_ o: JSONObject, _ key: String) throws(ProtocolError) -> String? {
        guard let value = o[key], value != .null else { return nil }
        guard case .string(let s) = value else { throw .invalidJSONMessage("`\(key)` is not a string") }
        return s
    }

    private static func bool(_ o: JSONObject, _ key: String) throws(ProtocolError) -> Bool? {
        guard let value = o[key], value != .null else { return nil }
        guard case .bool(let b) = value else { throw .invalidJSONMessage("`\(key)` is not a boolean") }
        return b
    }

    private static func integer(_ o: JSONObject, _ key: String) throws(ProtocolError) -> Int32? {
        guard let value = o[key], value != .null else { return nil }
        guard case .number(let n) = value, let int = Int32(n.text) else {
            throw .invalidJSONMessage("`\(key)` is not a 32-bit integer")
        }
        return int
    }
}
