/// Follows one direction of a plain HTTP keep-alive connection message by message, for observing
/// every `POST /api` request on it and the answer to each (pure; it reads forwarded bytes and never
/// changes them).
///
/// Requests: head, then a body by `Content-Length` or chunked, then the next head. Responses: head,
/// then body (none for 1xx, 204, 304), then the next; interim `1xx` answers are skipped. Anything it
/// cannot follow (a malformed head, a body over the limit, a response body that ends with the
/// connection) switches it off for the rest of the connection; forwarding does not depend on it.
package struct HTTPExchangeScanner: Sendable {
    /// One complete message.
    package struct Exchange: Sendable {
        /// The request head (requests only).
        package var head: RequestHead?
        /// The response status (responses only).
        package var status: Int?
        /// The body (empty when there was none).
        package var body: [UInt8]
    }

    private enum State: Sendable {
        case requestHead([UInt8])
        case requestBody(RequestHead, HTTPBodyCollector)
        case response(HTTPBodyCollector)
        case off
    }

    private var state: State
    private let limit: Int

    /// Follows requests, starting with the body of `first` (whose head the proxy already read). A first
    /// request without a body (``hasNoBody(_:)``) is complete already and is not reported again.
    package init(requestsAfter first: RequestHead, limit: Int = 1 << 20) {
        self.limit = limit
        state = .off
        state = Self.hasNoBody(first) ? .requestHead([]) : bodyState(for: first)
    }

    /// Follows responses from the first one.
    package init(responsesWithLimit limit: Int = 1 << 20) {
        self.limit = limit
        state = .response(HTTPBodyCollector(responseLimit: limit))
    }

    /// Whether it stopped following the stream.
    package var isOff: Bool {
        if case .off = state { return true }
        return false
    }

    /// Reads `bytes` and appends every message they complete to `exchanges`.
    package mutating func scan(_ bytes: UnsafeRawBufferPointer, into exchanges: inout [Exchange]) {
        var index = 0
        while index < bytes.count {
            let rest = UnsafeRawBufferPointer(rebasing: bytes[index...])
            switch state {
            case .off:
                return
            case .requestHead(var collected):
                let room = 16 * 1024 + 4 - collected.count
                let before = collected.count
                collected.append(contentsOf: rest.prefix(room))
                switch RequestHead.scan(collected, limit: 16 * 1024) {
                case .incomplete:
                    index += collected.count - before
                    state = collected.count > 16 * 1024 ? .off : .requestHead(collected)
                case .failed:
                    state = .off
                case .complete(let head, let length):
                    index += length - before
                    state = bodyState(for: head)
                    if Self.hasNoBody(head) {
                        exchanges.append(Exchange(head: head, body: []))
                        state = .requestHead([])
                    }
                }
            case .requestBody(let head, var collector):
                var consumed = 0
                let body = collector.scan(rest, consumed: &consumed)
                index += consumed
                if let body {
                    exchanges.append(Exchange(head: head, body: body))
                    state = .requestHead([])
                } else {
                    state = collector.isOff ? .off : .requestBody(head, collector)
                }
            case .response(var collector):
                var consumed = 0
                let body = collector.scan(rest, consumed: &consumed)
                index += consumed
                if let body {
                    if let status = collector.status, status >= 200 {
                        exchanges.append(Exchange(status: status, body: body))
                    }
                    state = .response(HTTPBodyCollector(responseLimit: limit))
                } else {
                    state = collector.isOff ? .off : .response(collector)
                }
            }
        }
    }

    private func bodyState(for head: RequestHead) -> State {
        if head.value(of: "transfer-encoding")?.lowercased().contains("chunked") == true {
            return .requestBody(head, HTTPBodyCollector(chunkedRequestLimit: limit))
        }
        let length = head.value(of: "content-length").map { Int($0) } ?? 0
        guard let length, length >= 0, length <= limit else { return .off }
        return .requestBody(head, HTTPBodyCollector(requestBodyLength: length, limit: limit))
    }

    /// Whether a request's head says it has no body (no length, or length 0, and not chunked).
    package static func hasNoBody(_ head: RequestHead) -> Bool {
        if head.value(of: "transfer-encoding")?.lowercased().contains("chunked") == true { return false }
        return (head.value(of: "content-length").flatMap { Int($0) } ?? 0) == 0
    }
}
