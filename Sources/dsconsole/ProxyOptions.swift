import ArgumentParser
import DeepstreamClient
import DeepstreamProxy
import NIOSSL

/// Turns the proxy's command-line values (`UPSTREAM`, `--listen`, `--upstream-ca`) into a
/// ``ProxyConfiguration``; shared by `dsconsole proxy` and `dsconsole watch --proxy`.
enum ProxyOptions {
    /// The default listen address: the deepstream port plus one, on loopback.
    static let defaultListen = "127.0.0.1:6021"

    /// `HOST:PORT` (IPv6 in brackets) into its parts; port 0 picks a free one.
    static func parseListen(_ text: String) throws(CommandFailure) -> (host: String, port: Int) {
        var host = Substring(text)
        var portText = Substring("")
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") {
            let after = host[host.index(after: close)...]
            portText = after.hasPrefix(":") ? after.dropFirst() : ""
            host = host[host.index(after: host.startIndex)..<close]
        } else if let colon = host.lastIndex(of: ":") {
            portText = host[host.index(after: colon)...]
            host = host[..<colon]
        }
        guard !host.isEmpty, let port = Int(portText), (0...65535).contains(port) else {
            throw CommandFailure(.usage, "dsconsole: --listen must be HOST:PORT (port 0…65535), e.g. 127.0.0.1:6021")
        }
        return (String(host), port)
    }

    /// The configuration for `upstream` (same URL forms as `connect`) listening on `listen`.
    static func configuration(
        upstream: String, listen: String, caFile: String?
    ) throws(CommandFailure) -> ProxyConfiguration {
        let url: ServerURL
        do { url = try ServerURL(parsing: upstream) } catch {
            throw CommandFailure(.usage, "dsconsole: bad upstream \(upstream): \(error.description)")
        }
        var tls: TLSConfiguration?
        if url.isSecure {
            var configuration = TLSConfiguration.makeClientConfiguration()
            if let caFile {
                do {
                    configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
                } catch {
                    throw CommandFailure(.noInput, "dsconsole: cannot read --upstream-ca \(caFile): \(error)")
                }
            }
            tls = configuration
        }
        var configuration = ProxyConfiguration(upstream: .init(host: url.host, port: url.port, tls: tls))
        let (host, port) = try parseListen(listen)
        configuration.host = host
        configuration.port = port
        return configuration
    }

    /// `ws://HOST:PORT/deepstream` for a bound address, with a wildcard bind shown as loopback.
    static func url(host: String, port: Int) -> String {
        let shown = ["0.0.0.0", "::", ""].contains(host) ? "127.0.0.1" : host
        return "ws://\(shown.contains(":") ? "[\(shown)]" : shown):\(port)/deepstream"
    }

    /// One line with what the observer counted, for standard error at the end.
    static func summary(_ statistics: ProxyStatistics) -> String {
        let topics = statistics.observer.messagesPerTopic.sorted { $0.value > $1.value }
            .map { "\($0.key.name) \($0.value)" }.joined(separator: ", ")
        return "dsconsole: proxy: \(statistics.connectionsAccepted) connections, messages by topic: "
            + (topics.isEmpty ? "none" : topics)
            + "; undecodable \(statistics.observer.undecodable); observation dropped \(statistics.droppedObservations)"
            + "; upstream failures \(statistics.upstreamFailures)"
    }
}
