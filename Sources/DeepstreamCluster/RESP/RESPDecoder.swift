/// Incremental RESP2 decoder: feed it bytes as they arrive, take complete values out.
///
/// A value split across reads stays buffered until it is complete. Sizes are bounded (line length,
/// bulk length, array count, nesting) so a broken or hostile peer cannot make it allocate without
/// limit; exceeding one is a ``RESPError``.
package struct RESPDecoder: Sendable {
    /// The decoder's bounds.
    package struct Limits: Sendable, Hashable {
        /// Longest simple string, error or number line, in bytes.
        package var maximumLineLength: Int
        /// Longest bulk string, in bytes.
        package var maximumBulkLength: Int
        /// Most elements in one array.
        package var maximumArrayCount: Int
        /// Deepest array nesting.
        package var maximumDepth: Int
        /// Creates limits.
        package init(
            maximumLineLength: Int = 64 * 1024, maximumBulkLength: Int = 16 * 1024 * 1024,
            maximumArrayCount: Int = 1024 * 1024, maximumDepth: Int = 8
        ) {
            self.maximumLineLength = maximumLineLength
            self.maximumBulkLength = maximumBulkLength
            self.maximumArrayCount = maximumArrayCount
            self.maximumDepth = maximumDepth
        }
    }

    /// The bounds in force.
    package let limits: Limits
    private var buffer: [UInt8] = []
    private var start = 0

    /// Creates an empty decoder.
    package init(limits: Limits = Limits()) { self.limits = limits }

    /// Bytes received but not yet returned as a value.
    package var bufferedByteCount: Int { buffer.count - start }

    /// Appends received bytes.
    package mutating func feed(_ bytes: some Sequence<UInt8>) {
        if start > 0, start >= buffer.count / 2 {
            // Compact once the consumed prefix dominates, so the buffer does not grow with the stream.
            buffer.removeFirst(start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete value, or `nil` when more bytes are needed.
    package mutating func next() throws(RESPError) -> RESPValue? {
        var index = start
        guard let value = try parse(at: &index, depth: 0) else { return nil }
        start = index
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        }
        return value
    }

    private func parse(at index: inout Int, depth: Int) throws(RESPError) -> RESPValue? {
        guard index < buffer.count else { return nil }
        let type = buffer[index]
        var cursor = index + 1
        guard let line = try readLine(at: &cursor) else { return nil }
        let value: RESPValue
        switch type {
        case UInt8(ascii: "+"):
            value = .simpleString(String(decoding: line, as: UTF8.self))
        case UInt8(ascii: "-"):
            value = .error(String(decoding: line, as: UTF8.self))
        case UInt8(ascii: ":"):
            value = .integer(try number(line))
        case UInt8(ascii: "$"):
            let length = try number(line)
            if length == -1 {
                value = .bulkString(nil)
            } else {
                guard length >= 0 else { throw .badNumber(String(decoding: line, as: UTF8.self)) }
                guard length <= limits.maximumBulkLength else { throw .tooLarge("bulk string") }
                let end = cursor + Int(length)
                guard end + 2 <= buffer.count else { return nil }
                guard buffer[end] == 13, buffer[end + 1] == 10 else { throw .missingTerminator }
                value = .bulkString(Array(buffer[cursor..<end]))
                cursor = end + 2
            }
        case UInt8(ascii: "*"):
            let count = try number(line)
            if count == -1 {
                value = .array(nil)
            } else {
                guard count >= 0 else { throw .badNumber(String(decoding: line, as: UTF8.self)) }
                guard count <= limits.maximumArrayCount else { throw .tooLarge("array") }
                guard depth < limits.maximumDepth else { throw .tooDeep }
                var elements: [RESPValue] = []
                elements.reserveCapacity(min(Int(count), 1024))
                for _ in 0..<count {
                    guard let element = try parse(at: &cursor, depth: depth + 1) else { return nil }
                    elements.append(element)
                }
                value = .array(elements)
            }
        default:
            throw .unknownType(type)
        }
        index = cursor
        return value
    }

    /// The bytes up to CRLF (excluded), moving `cursor` past the CRLF; `nil` if no CRLF yet.
    private func readLine(at cursor: inout Int) throws(RESPError) -> ArraySlice<UInt8>? {
        var i = cursor
        while i + 1 < buffer.count {
            if buffer[i] == 13, buffer[i + 1] == 10 {
                let line = buffer[cursor..<i]
                cursor = i + 2
                return line
            }
            i += 1
            if i - cursor > limits.maximumLineLength { throw .tooLarge("line") }
        }
        if buffer.count - cursor > limits.maximumLineLength { throw .tooLarge("line") }
        return nil
    }

    private func number(_ line: ArraySlice<UInt8>) throws(RESPError) -> Int64 {
        guard let value = Int64(String(decoding: line, as: UTF8.self)) else {
            throw .badNumber(String(decoding: line, as: UTF8.self))
        }
        return value
    }
}
