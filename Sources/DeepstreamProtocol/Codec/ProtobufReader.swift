/// A bounds-checked cursor over protobuf bytes. Every read checks the end first; nothing traps.
package struct ProtobufReader {
    /// The bytes read.
    package let bytes: UnsafeRawBufferPointer
    /// Where the next read starts.
    package var index: Int
    /// Where reading stops.
    package let end: Int

    /// A cursor over `bytes[start..<end]` (all of them by default).
    package init(_ bytes: UnsafeRawBufferPointer, from start: Int = 0, to end: Int? = nil) {
        self.bytes = bytes
        self.index = start
        self.end = end ?? bytes.count
    }

    /// Whether everything up to ``end`` has been read.
    package var isAtEnd: Bool { index >= end }

    /// Reads a base-128 varint.
    package mutating func varint() throws(ProtocolError) -> UInt64 {
        let start = index
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard index < end, shift < 64 else { throw .malformedVarint(offset: start) }
            let byte = bytes[index]
            index += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
    }

    /// Reads a length prefix and returns the range of the bytes it covers, moving past them.
    package mutating func lengthDelimited() throws(ProtocolError) -> Range<Int> {
        let offset = index
        let length = try varint()
        let available = end - index
        guard length <= UInt64(available) else {
            throw .lengthPastEnd(offset: offset, length: length, available: available)
        }
        let range = index..<(index + Int(length))
        index = range.upperBound
        return range
    }

    /// Reads a field key; returns the field number and wire type.
    package mutating func fieldKey() throws(ProtocolError) -> (field: UInt64, wireType: UInt8, offset: Int) {
        let offset = index
        let key = try varint()
        let field = key >> 3
        let wireType = UInt8(key & 7)
        guard field != 0 else { throw .unsupportedWireType(field: field, wireType: wireType, offset: offset) }
        return (field, wireType, offset)
    }

    /// Skips a field we do not model.
    package mutating func skip(field: UInt64, wireType: UInt8, offset: Int) throws(ProtocolError) {
        switch wireType {
        case 0: _ = try varint()
        case 1: try advance(8, offset: offset)
        case 2: _ = try lengthDelimited()
        case 5: try advance(4, offset: offset)
        default: throw .unsupportedWireType(field: field, wireType: wireType, offset: offset)
        }
    }

    private mutating func advance(_ count: Int, offset: Int) throws(ProtocolError) {
        guard end - index >= count else {
            throw .lengthPastEnd(offset: offset, length: UInt64(count), available: end - index)
        }
        index += count
    }

    func string(_ range: Range<Int>, field: String) throws(ProtocolError) -> String {
        let slice = UnsafeRawBufferPointer(rebasing: bytes[range])
        guard let s = UTF8Text.string(validating: slice) else { throw .invalidUTF8(field: field) }
        return s
    }

    /// Typed field readers: they check the wire type against the schema.
    mutating func expectVarint(_ key: (field: UInt64, wireType: UInt8, offset: Int)) throws(ProtocolError) -> UInt64 {
        guard key.wireType == 0 else { throw .wireTypeMismatch(field: key.field, wireType: key.wireType, offset: key.offset) }
        return try varint()
    }

    mutating func expectString(_ key: (field: UInt64, wireType: UInt8, offset: Int), name: String) throws(ProtocolError) -> String {
        guard key.wireType == 2 else { throw .wireTypeMismatch(field: key.field, wireType: key.wireType, offset: key.offset) }
        return try string(lengthDelimited(), field: name)
    }

    mutating func expectInt32(_ key: (field: UInt64, wireType: UInt8, offset: Int)) throws(ProtocolError) -> Int32 {
        Int32(truncatingIfNeeded: try expectVarint(key))
    }

    mutating func expectBool(_ key: (field: UInt64, wireType: UInt8, offset: Int)) throws(ProtocolError) -> Bool {
        try expectVarint(key) != 0
    }
}
