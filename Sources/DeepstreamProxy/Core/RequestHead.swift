/// The HTTP request head a client opened its connection with: what the proxy needs to pick the
/// upstream request and to rewrite the few headers it must (pure; no IO).
package struct RequestHead: Hashable, Sendable {
    /// One header line as sent (name case kept).
    package struct Field: Hashable, Sendable {
        /// Header name as sent.
        package var name: String
        /// Header value without surrounding blanks.
        package var value: String
        /// Creates a field.
        package init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// Why a head could not be used.
    package enum Problem: Error, Hashable, Sendable {
        /// More than the allowed bytes without the blank line that ends a head.
        case tooLarge
        /// Not an HTTP/1.x request head.
        case malformed
    }

    /// The outcome of scanning the first bytes of a connection.
    package enum ScanResult: Hashable, Sendable {
        /// The blank line has not arrived yet.
        case incomplete
        /// A full head occupying the first `length` bytes.
        case complete(RequestHead, length: Int)
        /// Unusable bytes.
        case failed(Problem)
    }

    /// `GET`, `POST`, …
    package var method: String
    /// The request target exactly as sent (path and query).
    package var target: String
    /// `HTTP/1.1`.
    package var version: String
    /// Header fields in order.
    package var fields: [Field]

    /// Creates a head from its parts.
    package init(method: String, target: String, version: String, fields: [Field]) {
        self.method = method
        self.target = target
        self.version = version
        self.fields = fields
    }

    /// The target without its query string.
    package var path: String { String(target.prefix { $0 != "?" }) }

    /// The first value of header `name` (case-insensitive).
    package func value(of name: String) -> String? {
        let lowered = name.lowercased()
        return fields.first { $0.name.lowercased() == lowered }?.value
    }

    /// Whether the client asks for a WebSocket upgrade.
    package var isWebSocketUpgrade: Bool {
        guard let upgrade = value(of: "upgrade")?.lowercased(), upgrade.contains("websocket") else { return false }
        return value(of: "sec-websocket-key") != nil
    }

    /// Scans the first bytes of a connection for a complete request head of at most `limit` bytes.
    package static func scan(_ bytes: some Collection<UInt8>, limit: Int = 16 * 1024) -> ScanResult {
        let array = Array(bytes.prefix(limit + 4))
        guard let end = headEnd(array) else { return array.count > limit ? .failed(.tooLarge) : .incomplete }
        guard end <= limit else { return .failed(.tooLarge) }
        guard let text = String(validating: array[..<(end - 4)], as: UTF8.self) else { return .failed(.malformed) }
        var lines = text.split(separator: "\r\n", omittingEmptySubsequences: false)
        guard !lines.isEmpty else { return .failed(.malformed) }
        let requestLine = lines.removeFirst().split(separator: " ", omittingEmptySubsequences: true)
        guard requestLine.count == 3, requestLine[2].hasPrefix("HTTP/1.") else { return .failed(.malformed) }
        var fields: [Field] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { return .failed(.malformed) }
            let name = line[..<colon]
            guard !name.isEmpty, !name.contains(" ") else { return .failed(.malformed) }
            let value = line[line.index(after: colon)...].trimmingBlanks()
            fields.append(Field(name: String(name), value: String(value)))
        }
        let head = RequestHead(
            method: String(requestLine[0]), target: String(requestLine[1]), version: String(requestLine[2]),
            fields: fields)
        return .complete(head, length: end)
    }

    /// The head to send upstream: `Host` names the upstream (virtual hosts and load balancers in front
    /// of real deployments route on it), `X-Forwarded-For` carries the client's address (deepstream
    /// uses it as the remote address), and no WebSocket extension is offered (a compressed message
    /// could not be observed; forwarding would still work).
    package func forwarded(host: String, clientAddress: String?) -> [UInt8] {
        var text = "\(method) \(target) \(version)\r\n"
        var sawForwardedFor = false
        var sawHost = false
        for field in fields {
            switch field.name.lowercased() {
            case "host":
                guard !sawHost else { continue }
                sawHost = true
                text += "\(field.name): \(host)\r\n"
            case "sec-websocket-extensions":
                continue
            case "x-forwarded-for":
                sawForwardedFor = true
                if let clientAddress {
                    text += "\(field.name): \(field.value), \(clientAddress)\r\n"
                } else {
                    text += "\(field.name): \(field.value)\r\n"
                }
            default:
                text += "\(field.name): \(field.value)\r\n"
            }
        }
        if !sawHost { text += "Host: \(host)\r\n" }
        if !sawForwardedFor, let clientAddress { text += "X-Forwarded-For: \(clientAddress)\r\n" }
        text += "\r\n"
        return Array(text.utf8)
    }

    /// Offset just past the first `\r\n\r\n`, if any.
    static func headEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        var i = 3
        while i < bytes.count {
            if bytes[i] == 10, bytes[i - 1] == 13, bytes[i - 2] == 10, bytes[i - 3] == 13 { return i + 1 }
            i += 1
        }
        return nil
    }
}

extension Substring {
    fileprivate func trimmingBlanks() -> Substring {
        var s = self
        while let first = s.first, first == " " || first == "\t" { s.removeFirst() }
        while let last = s.last, last == " " || last == "\t" { s.removeLast() }
        return s
    }
}
