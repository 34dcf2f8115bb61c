/// The broker could not start listening.
public struct BrokerStartError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The host it tried.
    public var host: String
    /// The port it tried.
    public var port: Int
    /// Why, e.g. "address already in use".
    public var reason: String

    /// Creates the error.
    public init(host: String, port: Int, reason: String) {
        self.host = host
        self.port = port
        self.reason = reason
    }

    /// `cannot listen on 127.0.0.1:6020: address already in use`.
    public var description: String { "cannot listen on \(host):\(port): \(reason)" }
}
