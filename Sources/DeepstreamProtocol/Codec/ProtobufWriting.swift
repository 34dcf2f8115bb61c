/// Where protobuf encoding goes: a byte counter (to size length prefixes) or a byte array.
///
/// Both message encoders are written once, generic over the sink, so that sizing and writing cannot
/// disagree.
protocol ProtobufSink {
    mutating func byte(_ value: UInt8)
    mutating func bytes(_ value: some Collection<UInt8>, count: Int)
}

/// Counts bytes without storing them.
struct ByteCounter: ProtobufSink {
    var count = 0
    mutating func byte(_ value: UInt8) { count += 1 }
    mutating func bytes(_ value: some Collection<UInt8>, count: Int) { self.count += count }
}

/// Appends to a byte array.
struct ByteAppender: ProtobufSink {
    var output: [UInt8]
    mutating func byte(_ value: UInt8) { output.append(value) }
    mutating func bytes(_ value: some Collection<UInt8>, count: Int) { output.append(contentsOf: value) }
}

/// Writes into preallocated memory; the caller guarantees the size (``BinaryCodec/encodedSize(of:)``).
struct RawBufferWriter: ProtobufSink {
    let buffer: UnsafeMutableRawBufferPointer
    var count = 0

    init(buffer: UnsafeMutableRawBufferPointer) { self.buffer = buffer }

    mutating func byte(_ value: UInt8) {
        precondition(count < buffer.count, "encoded message larger than its computed size")
        buffer[count] = value
        count += 1
    }

    mutating func bytes(_ value: some Collection<UInt8>, count length: Int) {
        precondition(count + length <= buffer.count, "encoded message larger than its computed size")
        UnsafeMutableRawBufferPointer(rebasing: buffer[count..<(count + length)]).copyBytes(from: value)
        count += length
    }
}

extension ProtobufSink {
    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            byte(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        byte(UInt8(v))
    }

    mutating func key(_ field: UInt64, wireType: UInt8) { varint(field << 3 | UInt64(wireType)) }

    /// An `int32`/enum field: negative values are sign-extended to 10 bytes, as protobuf requires.
    mutating func int32Field(_ field: UInt64, _ value: Int32?) {
        guard let value else { return }
        key(field, wireType: 0)
        varint(UInt64(bitPattern: Int64(value)))
    }

    mutating func boolField(_ field: UInt64, _ value: Bool?) {
        guard let value else { return }
        key(field, wireType: 0)
        byte(value ? 1 : 0)
    }

    mutating func stringField(_ field: UInt64, _ value: String?) {
        guard let value else { return }
        let utf8 = value.utf8
        let count = utf8.count
        key(field, wireType: 2)
        varint(UInt64(count))
        bytes(utf8, count: count)
    }

    mutating func bytesField(_ field: UInt64, _ value: [UInt8]) {
        key(field, wireType: 2)
        varint(UInt64(value.count))
        bytes(value, count: value.count)
    }
}

func varintSize(_ value: UInt64) -> Int {
    var v = value
    var n = 1
    while v >= 0x80 {
        v >>= 7
        n += 1
    }
    return n
}
