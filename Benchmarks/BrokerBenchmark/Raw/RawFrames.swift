import DeepstreamProtocol

/// The fields of a received ws-binary payload the load generator needs, found without decoding the
/// message (no strings built).
struct ScannedFrame {
    var topic: Int32 = -1
    var action: Int32 = -1
    /// Byte range of the correlation id inside the payload.
    var correlationId: Range<Int>?
    var isAck = false

    /// Scans `payload` (`varint(len) ‖ envelope{2: topic, 3: inner}`); nil when it is malformed.
    init?(_ payload: UnsafeRawBufferPointer) {
        var reader = Reader(bytes: payload, index: 0, end: payload.count)
        guard let length = reader.varint(), reader.index + Int(length) <= payload.count else { return nil }
        reader.end = reader.index + Int(length)
        var inner: Range<Int>?
        while reader.index < reader.end {
            guard let key = reader.varint() else { return nil }
            switch (key >> 3, key & 7) {
            case (2, 0):
                guard let value = reader.varint() else { return nil }
                topic = Int32(truncatingIfNeeded: value)
            case (3, 2):
                guard let range = reader.delimited() else { return nil }
                inner = range
            default:
                guard reader.skip(wireType: key & 7) else { return nil }
            }
        }
        guard let inner else { return nil }
        reader.index = inner.lowerBound
        reader.end = inner.upperBound
        while reader.index < reader.end {
            guard let key = reader.varint() else { return nil }
            switch (key >> 3, key & 7) {
            case (1, 0):
                guard let value = reader.varint() else { return nil }
                action = Int32(truncatingIfNeeded: value)
            case (3, 2):
                guard let range = reader.delimited() else { return nil }
                correlationId = range
            case (5, 0):
                guard let value = reader.varint() else { return nil }
                isAck = value != 0
            default:
                guard reader.skip(wireType: key & 7) else { return nil }
            }
        }
    }

    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        var index: Int
        var end: Int

        mutating func varint() -> UInt64? {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while index < end, shift < 64 {
                let byte = bytes[index]
                index += 1
                value |= UInt64(byte & 0x7F) << shift
                if byte & 0x80 == 0 { return value }
                shift += 7
            }
            return nil
        }

        mutating func delimited() -> Range<Int>? {
            guard let length = varint(), index + Int(length) <= end else { return nil }
            defer { index += Int(length) }
            return index..<(index + Int(length))
        }

        mutating func skip(wireType: UInt64) -> Bool {
            switch wireType {
            case 0: return varint() != nil
            case 1: index += 8
            case 2: return delimited() != nil
            case 5: index += 4
            default: return false
            }
            return index <= end
        }
    }
}

/// A pre-encoded client frame whose correlation id (``width`` ASCII bytes) is patched per call.
struct FrameTemplate {
    /// The correlation id width all generated calls use.
    static let width = 12
    private static let placeholder = [UInt8](repeating: UInt8(ascii: "Z"), count: width)

    let bytes: [UInt8]
    let correlationIdOffset: Int

    /// Encodes `make(placeholder)` once and remembers where the placeholder landed.
    init(_ make: (String) -> Message) {
        let frame = RawConnection.frame(make(String(decoding: Self.placeholder, as: UTF8.self)))
        var offset = -1
        for start in 0...(frame.count - Self.width)
        where frame[start..<(start + Self.width)].elementsEqual(Self.placeholder) {
            offset = start
            break
        }
        precondition(offset >= 0, "placeholder not found in the encoded frame")
        bytes = frame
        correlationIdOffset = offset
    }

    /// Appends the frame with `correlationId` (exactly ``width`` bytes) to `output`.
    func append(correlationId: UnsafeRawBufferPointer, to output: inout [UInt8]) {
        let start = output.count
        output.append(contentsOf: bytes)
        output.withUnsafeMutableBytes { target in
            for index in 0..<Self.width { target[start + correlationIdOffset + index] = correlationId[index] }
        }
    }

    /// Appends the frame with the correlation id `RRSSSSGGGGGG`: requestor, slot and generation in
    /// decimal (2, 4 and 6 digits), so a reply's slot is read back from its id without a look-up.
    func append(requestor: Int, slot: Int, generation: Int, to output: inout [UInt8]) {
        let start = output.count
        output.append(contentsOf: bytes)
        output.withUnsafeMutableBytes { target in
            let base = start + correlationIdOffset
            Self.writeDigits(requestor % 100, count: 2, at: base, in: target)
            Self.writeDigits(slot % 10_000, count: 4, at: base + 2, in: target)
            Self.writeDigits(generation % 1_000_000, count: 6, at: base + 6, in: target)
        }
    }

    /// The slot encoded in a correlation id made by ``append(requestor:slot:generation:to:)``.
    static func slot(in correlationId: UnsafeRawBufferPointer) -> Int? {
        guard correlationId.count == width else { return nil }
        var value = 0
        for index in 2..<6 {
            let digit = Int(correlationId[index]) - Int(UInt8(ascii: "0"))
            guard (0...9).contains(digit) else { return nil }
            value = value * 10 + digit
        }
        return value
    }

    private static func writeDigits(_ value: Int, count: Int, at position: Int, in target: UnsafeMutableRawBufferPointer) {
        var rest = value
        for index in stride(from: count - 1, through: 0, by: -1) {
            target[position + index] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
        }
    }
}
