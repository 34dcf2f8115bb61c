/// Where the cluster's Redis is: parsed from `redis://[[USER]:PASSWORD@]HOST[:PORT]`.
package struct RedisEndpoint: Hashable, Sendable, CustomStringConvertible {
    /// Host name or address.
    package var host: String
    /// TCP port (6379 when the URL has none).
    package var port: Int
    /// ACL user name for `AUTH user password` (nil = `AUTH password`).
    package var username: String?
    /// Password, if any.
    package var password: String?

    /// Why a URL was refused.
    package struct ParseError: Error, Hashable, Sendable, CustomStringConvertible {
        /// One line for people.
        package var description: String
    }

    /// Creates an endpoint.
    package init(host: String, port: Int = 6379, username: String? = nil, password: String? = nil) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
    }

    /// Parses `redis://[[USER]:PASSWORD@]HOST[:PORT]` (a bare `HOST:PORT` is accepted too).
    package init(url: String) throws(ParseError) {
        var rest = Substring(url)
        if rest.hasPrefix("redis://") {
            rest = rest.dropFirst("redis://".count)
        } else if rest.contains("://") {
            throw ParseError(description: "\(url): only redis:// URLs are supported (no TLS)")
        }
        if let slash = rest.firstIndex(of: "/") {
            let database = rest[rest.index(after: slash)...]
            guard database.isEmpty || database == "0" else {
                throw ParseError(description: "\(url): pub/sub ignores databases; leave the /\(database) out")
            }
            rest = rest[..<slash]
        }
        var username: String?
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = credentials.firstIndex(of: ":") {
                let user = credentials[..<colon]
                username = user.isEmpty ? nil : Self.percentDecoded(user)
                password = Self.percentDecoded(credentials[credentials.index(after: colon)...])
            } else {
                password = Self.percentDecoded(credentials)
            }
        }
        var host = rest
        var port = 6379
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { throw ParseError(description: "\(url): unclosed [ in host") }
            let after = host[host.index(after: close)...]
            host = host[host.index(after: host.startIndex)..<close]
            if after.hasPrefix(":") {
                guard let value = Int(after.dropFirst()), (1...65535).contains(value) else {
                    throw ParseError(description: "\(url): bad port")
                }
                port = value
            }
        } else if let colon = host.lastIndex(of: ":") {
            guard let value = Int(host[host.index(after: colon)...]), (1...65535).contains(value) else {
                throw ParseError(description: "\(url): bad port")
            }
            port = value
            host = host[..<colon]
        }
        guard !host.isEmpty else { throw ParseError(description: "\(url): no host") }
        self.init(host: String(host), port: port, username: username, password: password)
    }

    /// `host:port` (never the password).
    package var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    private static func percentDecoded(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8)[...]
        while let byte = iterator.popFirst() {
            if byte == UInt8(ascii: "%"), iterator.count >= 2,
               let value = UInt8(String(decoding: iterator.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(value)
                iterator = iterator.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
