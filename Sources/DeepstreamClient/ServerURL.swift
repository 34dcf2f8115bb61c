/// Where the engine connects: a WebSocket URL as the JS client understands it (spec §1.1).
///
/// `host:port` means `ws://host:port/deepstream`; only `ws` and `wss` are accepted; a URL without a
/// path gets the `path` option.
public struct ServerURL: Hashable, Sendable, CustomStringConvertible {
    /// Whether TLS is used (`wss`).
    public var isSecure: Bool
    /// Host name or address (IPv6 without brackets).
    public var host: String
    /// TCP port (default 80 for `ws`, 443 for `wss`).
    public var port: Int
    /// Request path, starting with `/`.
    public var path: String

    /// Why a URL was refused.
    public enum ParseError: Error, Hashable, Sendable, CustomStringConvertible {
        /// The scheme is neither `ws` nor `wss`.
        case unsupportedScheme(String)
        /// No host.
        case missingHost
        /// The port is not a number between 1 and 65535.
        case invalidPort(String)

        /// A one-line explanation.
        public var description: String {
            switch self {
            case .unsupportedScheme(let s): "unsupported URL scheme '\(s)' (only ws and wss)"
            case .missingHost: "the URL has no host"
            case .invalidPort(let p): "invalid port '\(p)'"
            }
        }
    }

    /// Creates a URL from its parts.
    public init(isSecure: Bool, host: String, port: Int, path: String) {
        self.isSecure = isSecure
        self.host = host
        self.port = port
        self.path = path
    }

    /// Parses `text` the way the JS client does: `ws://` is prepended when no scheme is given and
    /// `defaultPath` is used when the URL has no path.
    public init(parsing text: String, defaultPath: String = "/deepstream") throws(ParseError) {
        var rest = Substring(text)
        var secure = false
        if let range = rest.firstRange(of: "://") {
            let scheme = rest[..<range.lowerBound].lowercased()
            switch scheme {
            case "ws": secure = false
            case "wss": secure = true
            default: throw .unsupportedScheme(scheme)
            }
            rest = rest[range.upperBound...]
        }
        let authority: Substring
        var path = ""
        if let slash = rest.firstIndex(of: "/") {
            authority = rest[..<slash]
            path = String(rest[slash...])
        } else {
            authority = rest
        }
        var host = Substring("")
        var portText: Substring?
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
        }
        guard !host.isEmpty else { throw .missingHost }
        var port = secure ? 443 : 80
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value) else { throw .invalidPort(String(portText)) }
            port = value
        }
        if path.isEmpty || path == "/" {
            path = defaultPath.hasPrefix("/") ? defaultPath : "/" + defaultPath
        }
        self.init(isSecure: secure, host: String(host), port: port, path: path)
    }

    /// `ws://host:port/path`, as sent in the CHALLENGE.
    public var description: String {
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return "\(isSecure ? "wss" : "ws")://\(hostPart):\(port)\(path)"
    }
}
