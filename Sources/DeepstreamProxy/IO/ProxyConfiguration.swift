import NIOSSL
import RPCSteering

/// Where the proxy forwards to and how it listens.
package struct ProxyConfiguration: Sendable {
    /// The upstream deepstream server (or cluster node).
    package struct Upstream: Sendable {
        /// Host name or address (IPv6 without brackets).
        package var host: String
        /// TCP port.
        package var port: Int
        /// TLS settings for a `wss://` upstream; `nil` for `ws://`.
        package var tls: TLSConfiguration?

        /// Creates an upstream.
        package init(host: String, port: Int, tls: TLSConfiguration? = nil) {
            self.host = host
            self.port = port
            self.tls = tls
        }

        /// `ws://host:port` or `wss://host:port`, as reasons and the console name it.
        package var description: String {
            let shownHost = host.contains(":") ? "[\(host)]" : host
            return "\(tls == nil ? "ws" : "wss")://\(shownHost):\(port)"
        }

        /// `host:port`: how calls name this node when a proxy has several upstreams.
        package var nodeName: String {
            let shownHost = host.contains(":") ? "[\(host)]" : host
            return "\(shownHost):\(port)"
        }

        /// The `Host` header value for requests sent upstream.
        var hostHeader: String {
            let shownHost = host.contains(":") ? "[\(host)]" : host
            return port == (tls == nil ? 80 : 443) ? shownHost : "\(shownHost):\(port)"
        }
    }

    /// The server behind the proxy.
    package var upstream: Upstream
    /// Address the proxy binds (default 127.0.0.1: the proxy is a local tool).
    package var host = "127.0.0.1"
    /// Port the proxy listens on (0 picks a free one).
    package var port = 6021
    /// Unsent bytes allowed per direction of a connection before the proxy stops reading from the other
    /// side (backpressure, never dropping).
    package var bufferSize = 256 * 1024
    /// Observed messages that may wait for the observer; beyond this, observation drops and counts
    /// (forwarding never waits for it).
    package var observationQueueLimit = 100_000
    /// Largest message payload the observer decodes; larger ones are forwarded and counted only.
    package var observationLimit = 1 << 20
    /// Calls not seen to end after this long are dropped from the observer's table.
    package var callLifetime: Duration = .seconds(60)
    /// How long connecting to the upstream (TCP and TLS) may take.
    package var connectTimeout: Duration = .seconds(5)
    /// How long a client may take to send its request head before the proxy closes the connection.
    package var headTimeout: Duration = .seconds(10)
    /// Event loop threads for forwarding.
    package var threads = 1
    /// How long each forwarding loop keeps polling its sockets after input before it blocks
    /// (`--busy-poll`; docs/proxy.md). Zero, the default, never polls; at most 10 ms. The first
    /// configuration's value applies to all listeners of a proxy (they share the loops).
    package var busyPollWindow: Duration = .zero
    /// Most simultaneous client connections; more are closed right after accept.
    package var maxConnections = 4096
    /// Steering rules (docs/rules.md). Empty: every byte is copied as it comes; otherwise WebSocket
    /// connections are cut into whole frames so rules can act on RPC messages.
    package var steering = SteeringRules()
    /// Whether `hold` rules keep REQUESTs in the proxy until ``Proxy/resolveHeld(peer:correlationId:_:)``
    /// (the console); false skips them (headless `watch --proxy`: nobody could resolve them).
    package var holdsCalls = true

    /// Creates a configuration for `upstream`.
    package init(upstream: Upstream) {
        self.upstream = upstream
    }
}

/// Why the proxy could not start.
package struct ProxyStartError: Error, Sendable, CustomStringConvertible {
    /// The address that was asked for.
    package var host: String
    /// The port that was asked for.
    package var port: Int
    /// What went wrong.
    package var reason: String

    /// One line for people.
    package var description: String { "cannot listen on \(host):\(port): \(reason)" }
}

/// Counters of a running proxy.
package struct ProxyStatistics: Hashable, Sendable {
    /// Client connections accepted so far.
    package var connectionsAccepted = 0
    /// Client connections open now.
    package var connectionsOpen = 0
    /// Plain HTTP requests (not WebSocket upgrades) forwarded (first request of each connection).
    package var httpRequests = 0
    /// Upstream connections that failed (unreachable, refused, TLS).
    package var upstreamFailures = 0
    /// Messages the observer never saw because it was behind (forwarding was not affected).
    package var droppedObservations = 0
    /// Events lost by slow subscribers.
    package var droppedEvents = 0
    /// What the observer counted (per topic, undecodable, evicted calls).
    package var observer = ProxyObserver.Counters()
    /// Calls the observer is following.
    package var pendingCalls = 0
    /// REQUESTs a `hold` rule did not keep because their connection already held the most it may
    /// (``ProxySteering/heldLimit`` calls or ``ProxySteering/heldByteLimit`` bytes); later rules decided.
    package var holdsSkipped = 0

    /// Creates zero counters.
    package init() {}
}
