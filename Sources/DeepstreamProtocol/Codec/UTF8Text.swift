/// Strings from UTF-8 bytes that may be invalid.
///
/// The standard library's `String(validating:as:)` runs through an unspecialised generic path (a
/// type-metadata look-up on every call), which was the largest single cost of parsing an object with
/// many short keys and of decoding every binary frame. Text on the wire is nearly always ASCII, which
/// is checked here eight bytes at a time and needs no further validation.
package enum UTF8Text {
    /// The bytes as a `String`, or `nil` when they are not valid UTF-8.
    package static func string(validating bytes: UnsafeRawBufferPointer) -> String? {
        if isASCII(bytes) {
            return bytes.withMemoryRebound(to: UInt8.self) { String(decoding: $0, as: UTF8.self) }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    /// `bytes[range]` as a `String`, or `nil` when not valid UTF-8.
    static func string(validating bytes: [UInt8], in range: Range<Int>) -> String? {
        bytes.withUnsafeBytes { string(validating: UnsafeRawBufferPointer(rebasing: $0[range])) }
    }

    /// Whether every byte is below 0x80 (checked eight bytes at a time).
    package static func isASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        var high: UInt64 = 0
        while index + 8 <= bytes.count {
            high |= bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            index += 8
        }
        while index < bytes.count {
            high |= UInt64(bytes[index])
            index += 1
        }
        return high & 0x8080_8080_8080_8080 == 0
    }
}
