import ArgumentParser
import DeepstreamClient
import DeepstreamProtocol
import DeepstreamProxy
import NIOSSL

/// Turns the proxy's command-line values (`UPSTREAM`, `--listen`, `--upstream-ca`) into a
/// ``ProxyConfiguration``; shared by `dsconsole proxy` and `dsconsole watch --proxy`.
enum ProxyOptions {
    /// The default listen address: the deepstream port plus one, on loopback.
    static let defaultListen = "127.0.0.1:6021"

    /// The default listen addresses for `count` upstreams: 127.0.0.1:6021, 6022, …
    static func defaultListens(count: Int) -> [String] {
        (0..<count).map { "127.0.0.1:\(6021 + $0)" }
    }

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

    /// The configuration of each of `upstreams`, the one at index i listening on `listens[i]` (empty:
    /// the defaults), with the steering rules of `rulesFile` and the busy-poll window.
    static func configurations(
        upstreams: [String], listens: [String], caFile: String?, rulesFile: String?, busyPoll: Duration
    ) throws(CommandFailure) -> [ProxyConfiguration] {
        let steering = try rulesFile.map { file throws(CommandFailure) in try RulesFileOption.load(file) }
        let listens = listens.isEmpty ? defaultListens(count: upstreams.count) : listens
        var configurations: [ProxyConfiguration] = []
        for (upstream, listen) in zip(upstreams, listens) {
            var configuration = try configuration(upstream: upstream, listen: listen, caFile: caFile)
            if let steering { configuration.steering = steering }
            configuration.busyPollWindow = busyPoll
            configurations.append(configuration)
        }
        return configurations
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

    /// The `proxyStats` JSON Lines object: messages per second per topic since `previous`, and totals.
    static func statsLine(_ current: ProxyStatistics, previous: ProxyStatistics, over elapsed: Duration) -> JSONValue {
        let seconds = max(0.001, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        let rates = current.observer.messagesPerTopic.sorted { $0.key.rawValue < $1.key.rawValue }.map { topic, count in
            let rate = Double(count - previous.observer.messagesPerTopic[topic, default: 0]) / seconds
            return (topic.name, JSONValue.double((rate * 10).rounded() / 10))
        }
        return .object(JSONObject([
            ("ts", .number(JSONNumber(Proxy.wallClock().description) ?? JSONNumber(0))),
            ("event", "proxyStats"),
            ("connections", .int(current.connectionsOpen)),
            ("messagesPerSecond", .object(JSONObject(rates))),
            ("undecodable", .int(current.observer.undecodable)),
            ("pendingCalls", .int(current.pendingCalls)),
            ("droppedObservations", .int(current.droppedObservations)),
            ("droppedEvents", .int(current.droppedEvents)),
            ("upstreamFailures", .int(current.upstreamFailures)),
        ]))
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
