/// One RESP2 value as Redis sends it.
package enum RESPValue: Hashable, Sendable {
    /// `+text\r\n`.
    case simpleString(String)
    /// `-text\r\n`: an error reply such as `WRONGPASS invalid username-password pair`.
    case error(String)
    /// `:n\r\n`.
    case integer(Int64)
    /// `$n\r\n<bytes>\r\n`; `nil` for the null bulk string `$-1`.
    case bulkString([UInt8]?)
    /// `*n\r\n<values>`; `nil` for the null array `*-1`.
    case array([RESPValue]?)

    /// The value as text: simple and bulk strings (bulk bytes decoded as UTF-8, lossily).
    package var text: String? {
        switch self {
        case .simpleString(let text): text
        case .bulkString(let bytes?): String(decoding: bytes, as: UTF8.self)
        default: nil
        }
    }

    /// The raw bytes of a bulk string (or of a simple string's UTF-8).
    package var bytes: [UInt8]? {
        switch self {
        case .bulkString(let bytes): bytes
        case .simpleString(let text): Array(text.utf8)
        default: nil
        }
    }
}
