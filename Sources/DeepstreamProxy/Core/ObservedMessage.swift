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
    package struct RPC: Sendable {
        /// Field 1.
        package var action: RPCAction
        /// Field 3.
        package var correlationId: String?
        /// Field 7.
        package var name: String?
        /// Field 5.
        package var isAck = false
        /// Field 6 (bulk PROVIDE/UNPROVIDE).
        package var names: [String] = []
        /// Field 9.
        package var originalAction: RPCAction?
        /// Field 2, read as text only when asked for.
        package var data: LazyText = .absent
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
                names: rpc.names, originalAction: rpc.originalAction, data: rpc.data.map(LazyText.text) ?? .absent))
        default:
            body = .other
        }
    }

    /// Decodes the observed parts of a `ws-binary` payload, or `nil` where ``BinaryCodec`` would refuse
    /// the message (malformed protobuf, unknown topic, wrong wire type or bad UTF-8 in a field read).
    package static func decodeBinary(_ payload: ByteBuffer) -> ObservedMessage? {
        payload.withUnsafeReadableBytes { bytes in
            var reader = Reader(bytes: bytes, index: 0, end: bytes.count)
            guard !bytes.isEmpty, let envelope = reader.lengthDelimited() else { return nil }
            var env = Reader(bytes: bytes, index: envelope.lowerBound, end: envelope.upperBound)
            var topicNumber: UInt64 = 0
            var inner = envelope.upperBound..<envelope.upperBound
            while !env.isAtEnd {
                guard let (field, wireType) = env.key() else { return nil }
                switch (field, wireType) {
                case (2, 0):
                    guard let value = env.varint() else { return nil }
                    topicNumber = value
                case (2, _), (3, 0), (3, 1), (3, 5):
                    return nil
                case (3, 2):
                    guard let range = env.lengthDelimited() else { return nil }
                    inner = range
                default:
                    guard env.skip(wireType) else { return nil }
                }
            }
            guard topicNumber <= UInt64(Int32.max), Topic(rawValue: Int32(topicNumber)).isKnown else { return nil }
            let topic = Topic(rawValue: Int32(topicNumber))
            var body = Reader(bytes: bytes, index: inner.lowerBound, end: inner.upperBound)
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

    private static func decodeAuth(_ r: inout Reader) -> Body? {
        var action = AuthAction.unknown
        var data: String?
        while !r.isAtEnd {
            guard let (field, wireType) = r.key() else { return nil }
            switch field {
            case 1, 3, 4:
                guard wireType == 0, let value = r.varint() else { return nil }
                if field == 1 { action = AuthAction(rawValue: Int32(truncatingIfNeeded: value)) }
            case 2:
                guard wireType == 2, let range = r.lengthDelimited(), let text = r.text(range) else { return nil }
                data = text
            default:
                guard r.skip(wireType) else { return nil }
            }
        }
        return .auth(action, data: data)
    }

    private static func decodeRPC(_ r: inout Reader, payload: ByteBuffer) -> RPC? {
        var rpc = RPC(action: .unknown)
        while !r.isAtEnd {
            guard let (field, wireType) = r.key() else { return nil }
            switch field {
            case 1, 4, 5, 9:
                guard wireType == 0, let value = r.varint() else { return nil }
                switch field {
                case 1: rpc.action = RPCAction(rawValue: Int32(truncatingIfNeeded: value))
                case 5: rpc.isAck = value != 0
                case 9: rpc.originalAction = RPCAction(rawValue: Int32(truncatingIfNeeded: value))
                default: break
                }
            case 2:
                guard wireType == 2, let range = r.lengthDelimited(), r.isValidUTF8(range) else { return nil }
                rpc.data = .view(payload, offset: range.lowerBound, length: range.count)
            case 3, 6, 7, 10, 11:
                guard wireType == 2, let range = r.lengthDelimited() else { return nil }
                guard field == 10 || field == 11 ? r.isValidUTF8(range) : true else { return nil }
                switch field {
                case 3:
                    guard let text = r.text(range) else { return nil }
                    rpc.correlationId = text
                case 6:
                    guard let text = r.text(range) else { return nil }
                    rpc.names.append(text)
                case 7:
                    guard let text = r.text(range) else { return nil }
                    rpc.name = text
                default: break
                }
            default:
                guard r.skip(wireType) else { return nil }
            }
        }
        return rpc
    }

    /// A bounds-checked cursor over protobuf bytes; every failure is `nil`, nothing traps.
    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        var index: Int
        let end: Int

        var isAtEnd: Bool { index >= end }

        mutating func varint() -> UInt64? {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while index < end, shift < 64 {
                let byte = bytes[index]
                index += 1
                result |= UInt64(byte & 0x7F) << shift
                if byte & 0x80 == 0 { return result }
                shift += 7
            }
            return nil
        }

        mutating func key() -> (field: UInt64, wireType: UInt8)? {
            guard let key = varint(), key >> 3 != 0 else { return nil }
            return (key >> 3, UInt8(key & 7))
        }

        mutating func lengthDelimited() -> Range<Int>? {
            guard let length = varint(), length <= UInt64(end - index) else { return nil }
            let range = index..<(index + Int(length))
            index = range.upperBound
            return range
        }

        mutating func skip(_ wireType: UInt8) -> Bool {
            switch wireType {
            case 0: return varint() != nil
            case 1, 5:
                let size = wireType == 1 ? 8 : 4
                guard end - index >= size else { return false }
                index += size
                return true
            case 2: return lengthDelimited() != nil
            default: return false
            }
        }

        func text(_ range: Range<Int>) -> String? {
            let slice = UnsafeRawBufferPointer(rebasing: bytes[range])
            // `String(validating:as:)` takes an unspecialised generic path (a metadata look-up per call);
            // names and correlation ids are ASCII, which needs no further validation.
            if asciiPrefix(range) == range.upperBound {
                return slice.withMemoryRebound(to: UInt8.self) { String(decoding: $0, as: UTF8.self) }
            }
            return String(validating: slice, as: UTF8.self)
        }

        func isValidUTF8(_ range: Range<Int>) -> Bool {
            let i = asciiPrefix(range)
            return i == range.upperBound || String(validating: UnsafeRawBufferPointer(rebasing: bytes[i..<range.upperBound]), as: UTF8.self) != nil
        }

        /// Where the first non-ASCII byte of `range` is (its end if none), eight bytes at a time.
        private func asciiPrefix(_ range: Range<Int>) -> Int {
            var i = range.lowerBound
            while i + 8 <= range.upperBound {
                if bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { break }
                i += 8
            }
            while i < range.upperBound, bytes[i] < 0x80 { i += 1 }
            return i
        }
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
