import DeepstreamProtocol
import NIOSSL

/// The engine's settings, named and defaulted as the JS client's options (spec §3.4).
public struct ClientOptions: Sendable {
    /// PING period and liveness check period; the link counts as dead after 2 × this without any
    /// received frame. JS default 30 s.
    public var heartbeatInterval: Duration = .seconds(30)
    /// The delay before reconnect attempt n (n = 0, 1, 2, …) is `min(maxReconnectInterval, n × this)`.
    /// JS default 4 s.
    public var reconnectIntervalIncrement: Duration = .seconds(4)
    /// Cap of the reconnect delay. JS default 180 s.
    public var maxReconnectInterval: Duration = .seconds(180)
    /// Reconnect attempts before giving up (`MAX_RECONNECTION_ATTEMPTS_REACHED`, then `close()`).
    /// The counter resets whenever a socket opens. JS default 5.
    public var maxReconnectAttempts: Int = 5
    /// After a connection loss, calls made during this window are buffered and sent after re-login;
    /// when it ends, the buffered calls fail with ``RPCError/clientOffline``. JS default 2 s.
    public var offlineBufferTimeout: Duration = .seconds(2)
    /// PROVIDE/UNPROVIDE batching window; zero or less sends one name per message at once.
    /// JS default 100 ms.
    public var subscriptionInterval: Duration = .milliseconds(100)
    /// The path used when the URL has none. JS default `/deepstream`.
    public var path: String = "/deepstream"
    /// The largest message the engine sends, in bytes (set it to the server's `maxMessageSize`; default
    /// 1 MiB, the server default). A larger request fails with
    /// ``RPCError/messageTooBig(size:limit:)`` (`.client`) before anything is sent and the connection
    /// stays; a larger answer from a provider is replaced by REQUEST_ERROR `MESSAGE_TOO_LARGE`.
    /// Received frames may be up to ``maxReceivedMessageSize``.
    public var maxMessageSize: Int = 1_048_576

    /// The largest frame the engine accepts: `maxMessageSize`, but never less than 1 MiB, so lowering
    /// the send limit to a small server's `maxMessageSize` does not make the engine refuse that server's
    /// larger answers (a server limits what it receives, not what it sends).
    public var maxReceivedMessageSize: Int { max(maxMessageSize, 1_048_576) }
    /// How long opening the TCP connection may take (not a JS option; the JS client relies on the
    /// platform's default).
    public var connectTimeout: Duration = .seconds(10)
    /// TLS settings for `wss://` URLs; `nil` uses the system's trust roots with full verification.
    public var tlsConfiguration: TLSConfiguration?
    /// The `sdkVersion` sent in the CHALLENGE.
    public var sdkVersion: String = "1.0.0"

    /// Creates options with the JS client's defaults.
    public init() {}
}
