/// The `ws-binary` wire format: one message per WebSocket binary frame, as
/// `varint(len(M)) ‖ M` where `M` is the protobuf envelope `Message { topic = 2, message = 3 }`.
///
/// Encoding writes set fields in ascending field number, like the JS encoder, so decoded reference
/// frames re-encode to identical bytes. Decoding accepts any field order, skips unknown fields, ignores
/// bytes after the first delimited envelope, and turns every malformed input into a ``ProtocolError``.
public struct BinaryCodec: Sendable {
    /// Default limit, the reference server's `maxMessageSize` (1 MiB).
    public static let defaultMaximumMessageSize = 1_048_576

    /// Frames larger than this are refused by ``decode(_:)-7w3xq`` without being parsed.
    public var maximumMessageSize: Int

    /// Creates a codec with a frame size limit.
    public init(maximumMessageSize: Int = BinaryCodec.defaultMaximumMessageSize) {
        self.maximumMessageSize = maximumMessageSize
    }

    // MARK: Encoding

    /// Encodes one message as a complete ws-binary frame payload.
    public func encode(_ message: Message) -> [UInt8] {
        var out = ByteAppender(output: [])
        out.output.reserveCapacity(Self.encodedSize(of: message))
        Self.writeFrame(message, into: &out)
        return out.output
    }

    /// Appends one encoded frame payload to `buffer`.
    public func encode(_ message: Message, into buffer: inout [UInt8]) {
        var out = ByteAppender(output: [])
        swap(&out.output, &buffer)
        Self.writeFrame(message, into: &out)
        swap(&out.output, &buffer)
    }

    /// Writes one encoded frame payload to the start of `buffer`, which must hold at least
    /// ``encodedSize(of:)`` bytes, and returns the number of bytes written (so a caller can encode
    /// straight into an outbound network buffer).
    public func encode(_ message: Message, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        var out = RawBufferWriter(buffer: buffer)
        Self.writeFrame(message, into: &out)
        return out.count
    }

    /// The exact number of bytes ``encode(_:)`` produces for `message`.
    public static func encodedSize(of message: Message) -> Int {
        let envelope = envelopeSize(of: message)
        return varintSize(UInt64(envelope)) + envelope
    }

    private static func innerSize(of message: Message) -> Int {
        var counter = ByteCounter()
        writeInner(message, into: &counter)
        return counter.count
    }

    private static func envelopeSize(of message: Message) -> Int {
        let inner = innerSize(of: message)
        return 1 + varintSize(UInt64(bitPattern: Int64(message.topic.rawValue))) + 1 + varintSize(UInt64(inner)) + inner
    }

    private static func writeFrame<Sink: ProtobufSink>(_ message: Message, into sink: inout Sink) {
        let inner = innerSize(of: message)
        let topic = UInt64(bitPattern: Int64(message.topic.rawValue))
        let envelope = 1 + varintSize(topic) + 1 + varintSize(UInt64(inner)) + inner
        sink.varint(UInt64(envelope))
        sink.key(2, wireType: 0)
        sink.varint(topic)
        sink.key(3, wireType: 2)
        sink.varint(UInt64(inner))
        writeInner(message, into: &sink)
    }

    private static func writeInner<Sink: ProtobufSink>(_ message: Message, into sink: inout Sink) {
        switch message {
        case .connection(let m):
            sink.int32Field(1, m.action.rawValue)
            sink.stringField(2, m.data)
            sink.boolField(3, m.isError)
            sink.boolField(4, m.isAck)
            sink.stringField(5, m.url)
            sink.stringField(6, m.protocolVersion)
            sink.stringField(7, m.sdkVersion)
            sink.stringField(8, m.sdkType)
        case .auth(let m):
            sink.int32Field(1, m.action.rawValue)
            sink.stringField(2, m.data)
            sink.boolField(3, m.isError)
            sink.boolField(4, m.isAck)
        case .rpc(let m):
            sink.int32Field(1, m.action.rawValue)
            sink.stringField(2, m.data)
            sink.stringField(3, m.correlationId)
            sink.boolField(4, m.isError)
            sink.boolField(5, m.isAck)
            for name in m.names { sink.stringField(6, name) }
            sink.stringField(7, m.name)
            sink.int32Field(9, m.originalAction?.rawValue)
            sink.stringField(10, m.requestorName)
            sink.stringField(11, m.requestorData)
        case .parser(let m):
            sink.int32Field(1, m.action.rawValue)
            sink.stringField(2, m.data)
            sink.int32Field(8, m.originalTopic?.rawValue)
            sink.int32Field(9, m.originalAction)
        case .other(_, let payload):
            sink.bytes(payload, count: payload.count)
        }
    }

    // MARK: Decoding

    /// Decodes one frame payload.
    public func decode(_ frame: [UInt8]) throws(ProtocolError) -> Message {
        // withUnsafeBytes rethrows untyped errors, so the typed error travels out in a Result.
        try frame.withUnsafeBytes { raw in Result { () throws(ProtocolError) in try decode(raw) } }.get()
    }

    /// Decodes one frame payload from raw memory (e.g. a NIO `ByteBuffer`'s readable bytes).
    public func decode(_ frame: UnsafeRawBufferPointer) throws(ProtocolError) -> Message {
        guard !frame.isEmpty else { throw .emptyFrame }
        guard frame.count <= maximumMessageSize else {
            throw .messageTooLarge(size: frame.count, limit: maximumMessageSize)
        }
        var reader = ProtobufReader(frame)
        let envelope = try reader.lengthDelimited()
        var env = ProtobufReader(frame, from: envelope.lowerBound, to: envelope.upperBound)
        var topicNumber: UInt64 = 0
        var inner = envelope.upperBound..<envelope.upperBound
        while !env.isAtEnd {
            let key = try env.fieldKey()
            switch key.field {
            case 2: topicNumber = try env.expectVarint(key)
            case 3:
                guard key.wireType == 2 else {
                    throw .wireTypeMismatch(field: key.field, wireType: key.wireType, offset: key.offset)
                }
                inner = try env.lengthDelimited()
            default: try env.skip(field: key.field, wireType: key.wireType, offset: key.offset)
            }
        }
        guard topicNumber <= UInt64(Int32.max), Topic(rawValue: Int32(topicNumber)).isKnown else {
            throw .unknownTopic(topicNumber)
        }
        let topic = Topic(rawValue: Int32(topicNumber))
        var body = ProtobufReader(frame, from: inner.lowerBound, to: inner.upperBound)
        switch topic {
        case .connection: return .connection(try Self.decodeConnection(&body))
        case .auth: return .auth(try Self.decodeAuth(&body))
        case .rpc: return .rpc(try Self.decodeRPC(&body))
        case .parser: return .parser(try Self.decodeParser(&body))
        default: return .other(topic: topic, payload: Array(frame[inner]))
        }
    }

    private static func decodeConnection(_ r: inout ProtobufReader) throws(ProtocolError) -> ConnectionMessage {
        var m = ConnectionMessage(action: .unknown)
        while !r.isAtEnd {
            let key = try r.fieldKey()
            switch key.field {
            case 1: m.action = ConnectionAction(rawValue: try r.expectInt32(key))
            case 2: m.data = try r.expectString(key, name: "data")
            case 3: m.isError = try r.expectBool(key)
            case 4: m.isAck = try r.expectBool(key)
            case 5: m.url = try r.expectString(key, name: "url")
            case 6: m.protocolVersion = try r.expectString(key, name: "protocolVersion")
            case 7: m.sdkVersion = try r.expectString(key, name: "sdkVersion")
            case 8: m.sdkType = try r.expectString(key, name: "sdkType")
            default: try r.skip(field: key.field, wireType: key.wireType, offset: key.offset)
            }
        }
        return m
    }

    private static func decodeAuth(_ r: inout ProtobufReader) throws(ProtocolError) -> AuthMessage {
        var m = AuthMessage(action: .unknown)
        while !r.isAtEnd {
            let key = try r.fieldKey()
            switch key.field {
            case 1: m.action = AuthAction(rawValue: try r.expectInt32(key))
            case 2: m.data = try r.expectString(key, name: "data")
            case 3: m.isError = try r.expectBool(key)
            case 4: m.isAck = try r.expectBool(key)
            default: try r.skip(field: key.field, wireType: key.wireType, offset: key.offset)
            }
        }
        return m
    }

    private static func decodeRPC(_ r: inout ProtobufReader) throws(ProtocolError) -> RPCMessage {
        var m = RPCMessage(action: .unknown)
        while !r.isAtEnd {
            let key = try r.fieldKey()
            switch key.field {
            case 1: m.action = RPCAction(rawValue: try r.expectInt32(key))
            case 2: m.data = try r.expectString(key, name: "data")
            case 3: m.correlationId = try r.expectString(key, name: "correlationId")
            case 4: m.isError = try r.expectBool(key)
            case 5: m.isAck = try r.expectBool(key)
            case 6: m.names.append(try r.expectString(key, name: "names"))
            case 7: m.name = try r.expectString(key, name: "name")
            case 9: m.originalAction = RPCAction(rawValue: try r.expectInt32(key))
            case 10: m.requestorName = try r.expectString(key, name: "requestorName")
            case 11: m.requestorData = try r.expectString(key, name: "requestorData")
            default: try r.skip(field: key.field, wireType: key.wireType, offset: key.offset)
            }
        }
        return m
    }

    private static func decodeParser(_ r: inout ProtobufReader) throws(ProtocolError) -> ParserMessage {
        var m = ParserMessage(action: .unknown)
        while !r.isAtEnd {
            let key = try r.fieldKey()
            switch key.field {
            case 1: m.action = ParserAction(rawValue: try r.expectInt32(key))
            case 2: m.data = try r.expectString(key, name: "data")
            case 8: m.originalTopic = Topic(rawValue: try r.expectInt32(key))
            case 9: m.originalAction = try r.expectInt32(key)
            default: try r.skip(field: key.field, wireType: key.wireType, offset: key.offset)
            }
        }
        return m
    }
}
