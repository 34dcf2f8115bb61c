/// Why a frame could not be decoded. Decoding never traps: every malformed input ends here.
public enum ProtocolError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The frame has no bytes.
    case emptyFrame
    /// The frame is larger than the codec's size limit.
    case messageTooLarge(size: Int, limit: Int)
    /// A varint runs past the end or past 10 bytes.
    case malformedVarint(offset: Int)
    /// A length prefix points past the end of the frame.
    case lengthPastEnd(offset: Int, length: UInt64, available: Int)
    /// Field number 0, or a wire type that protobuf does not define or this schema never uses (groups).
    case unsupportedWireType(field: UInt64, wireType: UInt8, offset: Int)
    /// A known field arrived with a different wire type than the schema declares.
    case wireTypeMismatch(field: UInt64, wireType: UInt8, offset: Int)
    /// A topic number that general.proto does not list.
    case unknownTopic(UInt64)
    /// A string field holds bytes that are not UTF-8.
    case invalidUTF8(field: String)
    /// ws-json: the frame is not JSON.
    case invalidJSON(JSONParseError)
    /// ws-json: the JSON is not a deepstream message (e.g. not an object, no numeric `topic`).
    case invalidJSONMessage(String)

    /// A one-line explanation for logs and the console.
    public var description: String {
        switch self {
        case .emptyFrame: "empty frame"
        case .messageTooLarge(let size, let limit): "message of \(size) bytes exceeds the limit of \(limit) bytes"
        case .malformedVarint(let offset): "malformed varint at byte \(offset)"
        case .lengthPastEnd(let offset, let length, let available):
            "length \(length) at byte \(offset) runs past the end (\(available) bytes left)"
        case .unsupportedWireType(let field, let wireType, let offset):
            "unsupported wire type \(wireType) for field \(field) at byte \(offset)"
        case .wireTypeMismatch(let field, let wireType, let offset):
            "field \(field) has unexpected wire type \(wireType) at byte \(offset)"
        case .unknownTopic(let topic): "unknown topic \(topic)"
        case .invalidUTF8(let field): "field \(field) is not valid UTF-8"
        case .invalidJSON(let error): "invalid JSON: \(error)"
        case .invalidJSONMessage(let why): "not a deepstream message: \(why)"
        }
    }
}
