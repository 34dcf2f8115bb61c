import DeepstreamProtocol
import NIOCore

/// The parts of a deepstream message the proxy's observer acts on: the topic, and for AUTH and RPC the
/// few fields that drive logins, providers and call timelines (pure).
///
/// For the binary format this is a partial decode of the protobuf bytes in place: messages of other
/// topics (records, events, presence, …) are only read as far as their topic, and an RPC's payload
/// (`data`) stays a view into the message until an event needs it as text. Forwarding has already
/// happened; this only decides what the observer sees.
package struct ObservedMessage: Sendable {
    /// The fields of an RPC message the observer uses.
    ///
    /// The text fields (correlation id, name, payload) of a binary message stay bytes of the message:
    /// one reference to it and three ranges, so the value is small to copy and no `String` is made
    /// until someone asks (the observer keys calls by the bytes).
    package struct RPC: Sendable {
        /// The text fields.
        package enum Field: Sendable {
            /// Field 3.
            case correlationId
            /// Field 7.
            case name
            /// Field 2.
            case data
        }

        /// Where a field's bytes are in the message (`length` < 0: absent).
        private struct Span: Sendable {
            var offset = 0
            var length = -1
        }

        /// The text fields of a message decoded in full (JSON format).
        private final class Texts: Sendable {
            let correlationId: String?
            let name: String?
            let data: String?
            init(correlationId: String?, name: String?, data: String?) {
                self.correlationId = correlationId
                self.name = name
                self.data = data
            }
        }

        /// Field 1.
        package var action: RPCAction
        /// Field 5.
        package var isAck = false
        /// Field 6 (bulk PROVIDE/UNPROVIDE).
        package var names: [String] = []
        /// Field 9.
        package var originalAction: RPCAction?
        /// The message the spans point into (binary format).
        private var source: ByteBuffer?
        private var correlationIdSpan = Span()
        private var nameSpan = Span()
        private var dataSpan = Span()
        private var texts: Texts?

        /// An RPC with only its action; fields are added by the partial decode.
        package init(action: RPCAction) { self.action = action }

        /// The observed fields of a fully decoded RPC message.
        package init(
            action: RPCAction, correlationId: String?, name: String?, isAck: Bool, names: [String],
            originalAction: RPCAction?, data: String?
        ) {
            self.action = action
            self.isAck = isAck
            self.names = names
            self.originalAction = originalAction
            texts = Texts(correlationId: correlationId, name: name, data: data)
        }

        /// Records that `field` is `length` bytes at `offset` of `message` (the readable bytes).
        mutating func setView(_ field: Field, of message: ByteBuffer, offset: Int, length: Int) {
            if source == nil { source = message }
            let span = Span(offset: offset, length: length)
            switch field {
            case .correlationId: correlationIdSpan = span
            case .name: nameSpan = span
            case .data: dataSpan = span
            }
        }

        /// Calls `body` with the field's UTF-8 bytes, without making a `String`; `nil` when absent.
        package func withUTF8<Result>(_ field: Field, _ body: (UnsafeRawBufferPointer) -> Result) -> Result? {
            if let texts {
                guard var text = field == .correlationId ? texts.correlationId : field == .name ? texts.name : texts.data
                else { return nil }
                return text.withUTF8 { body(UnsafeRawBufferPointer($0)) }
            }
            let span = self.span(field)
            guard span.length >= 0, let source else { return nil }
            return source.withUnsafeReadableBytes {
                body(UnsafeRawBufferPointer(rebasing: $0[span.offset..<(span.offset + span.length)]))
            }
        }

        /// The field as text (made now).
        package func text(_ field: Field) -> String? {
            if let texts { return field == .correlationId ? texts.correlationId : field == .name ? texts.name : texts.data }
            let span = self.span(field)
            guard span.length >= 0, let source else { return nil }
            return source.getString(at: source.readerIndex + span.offset, length: span.length)
        }

        private func span(_ field: Field) -> Span {
            switch field {
            case .correlationId: correlationIdSpan
            case .name: nameSpan
            case .data: dataSpan
            }
        }

        /// Field 3 as text (made now).
        package var correlationId: String? { text(.correlationId) }
        /// Field 7 as text (made now).
        package var name: String? { text(.name) }
        /// Field 2, as text only when asked for.
        package var data: LazyText {
            if let texts { return texts.data.map(LazyText.text) ?? .absent }
            guard dataSpan.length >= 0, let source else { return .absent }
            return .view(source, offset: dataSpan.offset, length: dataSpan.length)
        }
    }

    /// What the observer gets to see of the message body.
    package enum Body: Sendable {
        /// AUTH: the action and its data (credentials inside; the observer reads only `username`).
        case auth(AuthAction, data: String?)
        /// RPC.
        case rpc(RPC)
        /// Any other topic: counted, not looked into.
        case other
    }

    /// The message's topic.
    package var topic: Topic
    /// The body fields.
    package var body: Body

    /// Creates an observed message.
    package init(topic: Topic, body: Body) {
        self.topic = topic
        self.body = body
    }

    /// The observed parts of a fully decoded message (JSON format, or when frame events want it all).
    package init(_ message: Message) {
        topic = message.topic
        switch message {
        case .auth(let auth):
            body = .auth(auth.action, data: auth.data)
        case .rpc(let rpc):
            body = .rpc(RPC(
                action: rpc.action, correlationId: rpc.correlationId, name: rpc.name, isAck: rpc.isAck == true,
                names: rpc.names, originalAction: rpc.originalAction, data: rpc.data))
        default:
            body = .other
        }
    }

    /// Decodes the observed parts of a `ws-binary` payload, or `nil` where ``BinaryCodec`` would refuse
    /// the message (malformed protobuf, unknown topic, wrong wire type or bad UTF-8 in a field read).
    package static func decodeBinary(_ payload: ByteBuffer) -> ObservedMessage? {
        payload.withUnsafeReadableBytes { bytes in
            var reader = ProtobufReader(bytes)
            guard !bytes.isEmpty, let envelope = reader.smallLengthDelimited() else { return nil }
            var env = ProtobufReader(bytes, from: envelope.lowerBound, to: envelope.upperBound)
            var topicNumber: UInt64 = 0
            var inner = envelope.upperBound..<envelope.upperBound
            while !env.isAtEnd {
                guard let (field, wireType) = env.key() else { return nil }
                switch (field, wireType) {
                case (2, 0):
                    guard let value = env.smallVarint() else { return nil }
                    topicNumber = value
                case (2, _), (3, 0), (3, 1), (3, 5):
                    return nil
                case (3, 2):
                    guard let range = env.smallLengthDelimited() else { return nil }
                    inner = range
                default:
                    guard env.skip((field, wireType)) else { return nil }
                }
            }
            guard topicNumber <= UInt64(Int32.max), Topic(rawValue: Int32(topicNumber)).isKnown else { return nil }
            let topic = Topic(rawValue: Int32(topicNumber))
            var body = ProtobufReader(bytes, from: inner.lowerBound, to: inner.upperBound)
            switch topic {
            case .auth:
                guard let auth = decodeAuth(&body) else { return nil }
                return ObservedMessage(topic: topic, body: auth)
            case .rpc:
                guard let rpc = decodeRPC(&body, payload: payload) else { return nil }
                return ObservedMessage(topic: topic, body: .rpc(rpc))
            case .connection, .parser:
                // Decoded in full by the codec only to be thrown away: checked the same way, not kept.
                guard (try? BinaryCodec().decode(bytes)) != nil else { return nil }
                return ObservedMessage(topic: topic, body: .other)
            default:
                return ObservedMessage(topic: topic, body: .other)
            }
        }
    }

    private static func decodeAuth(_ r: inout ProtobufReader) -> Body? {
        var action = AuthAction.unknown
        var data: String?
        while !r.isAtEnd {
            guard let (field, wireType) = r.key() else { return nil }
            switch field {
            case 1, 3, 4:
                guard wireType == 0, let value = r.smallVarint() else { return nil }
                if field == 1 { action = AuthAction(rawValue: Int32(truncatingIfNeeded: value)) }
            case 2:
                guard wireType == 2, let range = r.smallLengthDelimited(), let text = r.text(range) else { return nil }
                data = text
            default:
                guard r.skip((field, wireType)) else { return nil }
            }
        }
        return .auth(action, data: data)
    }

    private static func decodeRPC(_ r: inout ProtobufReader, payload: ByteBuffer) -> RPC? {
        var rpc = RPC(action: .unknown)
        while !r.isAtEnd {
            guard let (field, wireType) = r.key() else { return nil }
            switch field {
            case 1, 4, 5, 9:
                guard wireType == 0, let value = r.smallVarint() else { return nil }
                switch field {
                case 1: rpc.action = RPCAction(rawValue: Int32(truncatingIfNeeded: value))
                case 5: rpc.isAck = value != 0
                case 9: rpc.originalAction = RPCAction(rawValue: Int32(truncatingIfNeeded: value))
                default: break
                }
            case 2:
                guard wireType == 2, let range = r.smallLengthDelimited(), r.isValidUTF8(range) else { return nil }
                rpc.setView(.data, of: payload, offset: range.lowerBound, length: range.count)
            case 3, 6, 7, 10, 11:
                guard wireType == 2, let range = r.smallLengthDelimited() else { return nil }
                guard field == 10 || field == 11 ? r.isValidUTF8(range) : true else { return nil }
                switch field {
                case 3:
                    // Validated like the codec does, but no String yet: the observer keys calls by bytes.
                    guard r.isValidUTF8(range) else { return nil }
                    rpc.setView(.correlationId, of: payload, offset: range.lowerBound, length: range.count)
                case 6:
                    guard let text = r.text(range) else { return nil }
                    rpc.names.append(text)
                case 7:
                    guard r.isValidUTF8(range) else { return nil }
                    rpc.setView(.name, of: payload, offset: range.lowerBound, length: range.count)
                default: break
                }
            default:
                guard r.skip((field, wireType)) else { return nil }
            }
        }
        return rpc
    }
}

/// The partial decode's view of the codec's reader: every failure is `nil` (the message is then
/// counted as undecodable), so it refuses exactly what ``BinaryCodec`` refuses for the fields read.
///
/// Most keys, actions and lengths of an RPC are one byte: those are read here in place (exactly what
/// the reader would return for a one-byte varint); anything longer, and every error, goes through the
/// reader itself (a call into the codec module per field was a tenth of the observer's time).
extension ProtobufReader {
    fileprivate mutating func key() -> (field: UInt64, wireType: UInt8)? {
        if index < end {
            let byte = bytes[index]
            // One byte, field number not 0 (the reader refuses field 0).
            if byte & 0x80 == 0, byte >> 3 != 0 {
                index += 1
                return (UInt64(byte >> 3), byte & 7)
            }
        }
        guard let key = try? fieldKey() else { return nil }
        return (key.field, key.wireType)
    }

    fileprivate mutating func smallVarint() -> UInt64? {
        if index < end, bytes[index] & 0x80 == 0 {
            defer { index += 1 }
            return UInt64(bytes[index])
        }
        return try? varint()
    }

    fileprivate mutating func smallLengthDelimited() -> Range<Int>? {
        if index < end, bytes[index] & 0x80 == 0 {
            let length = Int(bytes[index])
            // The same refusal as the reader: the length must fit in what is left.
            guard length <= end - index - 1 else { return nil }
            let range = (index + 1)..<(index + 1 + length)
            index = range.upperBound
            return range
        }
        return try? lengthDelimited()
    }

    fileprivate mutating func skip(_ key: (field: UInt64, wireType: UInt8)) -> Bool {
        (try? skip(field: key.field, wireType: key.wireType, offset: index)) != nil
    }

    fileprivate func text(_ range: Range<Int>) -> String? {
        UTF8Text.string(validating: UnsafeRawBufferPointer(rebasing: bytes[range]))
    }

    fileprivate func isValidUTF8(_ range: Range<Int>) -> Bool {
        let slice = UnsafeRawBufferPointer(rebasing: bytes[range])
        return UTF8Text.isASCII(slice) || String(validating: slice, as: UTF8.self) != nil
    }
}

/// Text read from a message only when someone needs it (an RPC's payload for call events).
package enum LazyText: Sendable {
    /// The field was not there.
    case absent
    /// Already text (JSON format).
    case text(String)
    /// UTF-8 bytes inside a message, validated when decoded.
    case view(ByteBuffer, offset: Int, length: Int)

    /// The text, made now.
    package var string: String? {
        switch self {
        case .absent: nil
        case .text(let text): text
        case .view(let buffer, let offset, let length):
            buffer.getString(at: buffer.readerIndex + offset, length: length)
        }
    }
}
