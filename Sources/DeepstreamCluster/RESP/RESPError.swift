/// Why bytes from Redis could not be read as RESP2. Any of these ends the connection: the stream has
/// lost its framing and cannot be resynchronised.
package enum RESPError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The first byte of a value is not one of `+ - : $ *`.
    case unknownType(UInt8)
    /// A length or integer line is not a decimal number.
    case badNumber(String)
    /// A bulk string is not followed by CRLF.
    case missingTerminator
    /// A line, bulk string or array is larger than the decoder's limits.
    case tooLarge(String)
    /// Arrays are nested deeper than the decoder's limit.
    case tooDeep

    /// One line for people.
    package var description: String {
        switch self {
        case .unknownType(let byte): "bad RESP type byte 0x\(String(byte, radix: 16))"
        case .badNumber(let text): "bad RESP number \"\(text.prefix(40))\""
        case .missingTerminator: "bulk string without CRLF"
        case .tooLarge(let what): "RESP \(what) exceeds the limit"
        case .tooDeep: "RESP arrays nested too deeply"
        }
    }
}
