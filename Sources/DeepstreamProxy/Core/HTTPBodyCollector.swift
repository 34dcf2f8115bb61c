/// Collects the body of the first HTTP message in one direction of a plain HTTP connection, for
/// observing `POST /api` RPCs (pure; it reads a copy of forwarded bytes and never changes them).
///
/// A request body is read by its `Content-Length`; a response's head is parsed first, then its body by
/// `Content-Length` or chunked transfer coding. Bodies over `limit` and anything malformed switch the
/// collector off. One collector reads one message; ``HTTPExchangeScanner`` chains them for the
/// requests and responses of a keep-alive connection.
package struct HTTPBodyCollector: Sendable {
    private enum State: Sendable {
        case responseHead
        case body(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailer
        case done
        case off
    }

    private var state: State
    private var line: [UInt8] = []
    private var body: [UInt8] = []
    private let limit: Int
    /// The response's status code, once its head was read.
    package private(set) var status: Int?

    /// Collects a request body of `contentLength` bytes.
    package init(requestBodyLength contentLength: Int, limit: Int = 1 << 20) {
        self.limit = limit
        state = contentLength >= 0 && contentLength <= limit ? .body(remaining: contentLength) : .off
    }

    /// Collects a chunked request body.
    package init(chunkedRequestLimit limit: Int = 1 << 20) {
        self.limit = limit
        state = .chunkSize
    }

    /// Collects a response: head, then body.
    package init(responseLimit limit: Int = 1 << 20) {
        self.limit = limit
        state = .responseHead
    }

    /// Whether the collector still wants bytes.
    package var isCollecting: Bool {
        switch state {
        case .done, .off: false
        default: true
        }
    }

    /// Whether the collector gave up (malformed, too large, or a body that ends only with the connection).
    package var isOff: Bool {
        if case .off = state { return true }
        return false
    }

    /// Reads `bytes`; returns the body when it completes with them (once).
    package mutating func scan(_ bytes: UnsafeRawBufferPointer) -> [UInt8]? {
        var consumed = 0
        return scan(bytes, consumed: &consumed)
    }

    /// Reads `bytes` up to the end of the message; `consumed` says how many were its own (the rest
    /// belong to the next message on the connection). Returns the body when it completes (once).
    package mutating func scan(_ bytes: UnsafeRawBufferPointer, consumed: inout Int) -> [UInt8]? {
        var index = 0
        defer { consumed = index }
        while index < bytes.count {
            switch state {
            case .done, .off:
                return nil
            case .responseHead:
                line.append(bytes[index])
                index += 1
                if line.count > 16 * 1024 {
                    state = .off
                } else if line.count >= 4, line.suffix(4).elementsEqual([13, 10, 13, 10]) {
                    readResponseHead()
                    if case .body(0) = state { return finish() }
                }
            case .body(let remaining):
                let take = min(remaining, bytes.count - index)
                body.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[index..<(index + take)]))
                index += take
                state = .body(remaining: remaining - take)
                if remaining - take == 0 { return finish() }
            case .chunkSize:
                line.append(bytes[index])
                index += 1
                if line.count > 64 {
                    state = .off
                } else if line.count >= 2, line.suffix(2).elementsEqual([13, 10]) {
                    let text = String(decoding: line.dropLast(2), as: UTF8.self)
                    line = []
                    guard let size = Int(text.prefix { $0 != ";" }.trimmingSpaces(), radix: 16), size >= 0 else {
                        state = .off
                        return nil
                    }
                    if size == 0 {
                        state = .trailer
                        continue
                    }
                    guard body.count + size <= limit else {
                        state = .off
                        return nil
                    }
                    state = .chunkData(remaining: size)
                }
            case .chunkData(let remaining):
                let take = min(remaining, bytes.count - index)
                body.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[index..<(index + take)]))
                index += take
                state = remaining - take == 0 ? .chunkDataEnd : .chunkData(remaining: remaining - take)
            case .trailer:
                // Trailer fields up to the blank line that ends the message.
                line.append(bytes[index])
                index += 1
                if line.count > 16 * 1024 {
                    state = .off
                } else if line.count >= 2, line.suffix(2).elementsEqual([13, 10]) {
                    let blank = line.count == 2
                    line = []
                    if blank { return finish() }
                }
            case .chunkDataEnd:
                line.append(bytes[index])
                index += 1
                if line.count == 2 {
                    state = line == [13, 10] ? .chunkSize : .off
                    line = []
                }
            }
        }
        return nil
    }

    private mutating func readResponseHead() {
        let text = String(decoding: line, as: UTF8.self)
        line = []
        let lines = text.split(separator: "\r\n")
        guard let statusLine = lines.first else {
            state = .off
            return
        }
        let parts = statusLine.split(separator: " ")
        status = parts.count >= 2 ? Int(parts[1]) : nil
        var length: Int?
        var chunked = false
        for field in lines.dropFirst() {
            guard let colon = field.firstIndex(of: ":") else { continue }
            let name = field[..<colon].lowercased()
            let value = String(field[field.index(after: colon)...]).trimmingSpaces()
            if name == "content-length" { length = Int(value) }
            if name == "transfer-encoding", value.lowercased().contains("chunked") { chunked = true }
        }
        if let status, status < 200 || status == 204 || status == 304 {
            state = .body(remaining: 0)
        } else if chunked {
            state = .chunkSize
        } else if let length, length <= limit {
            state = .body(remaining: length)
        } else {
            state = .off
        }
    }

    private mutating func finish() -> [UInt8] {
        state = .done
        defer { body = [] }
        return body
    }
}

extension StringProtocol {
    fileprivate func trimmingSpaces() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
