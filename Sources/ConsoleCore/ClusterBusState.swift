import DeepstreamProtocol

/// The cluster bus connection as the console shows it: on the status line (instead of the private
/// engine's state) and in the Nodes view's title.
package enum ClusterBusState: Hashable, Sendable {
    /// Opening the connection; `attempt` 1 is the first, later ones are reconnects.
    case connecting(attempt: Int)
    /// Subscribed: messages arrive.
    case subscribed
    /// Lost (or never reached); the next attempt starts after `retryIn`.
    case disconnected(reason: String, retryIn: Duration)
    /// Stopped for good (wrong password, refused subscription).
    case failed(reason: String)

    /// The status-line word: `BUS`, `CONNECTING`, `RECONNECTING`, `BUS LOST`, `BUS FAILED`.
    package var label: String {
        switch self {
        case .connecting(let attempt): attempt == 1 ? "CONNECTING" : "RECONNECTING"
        case .subscribed: "BUS"
        case .disconnected: "BUS LOST"
        case .failed: "BUS FAILED"
        }
    }

    /// One phrase for the Nodes view's title.
    package var phrase: String {
        switch self {
        case .connecting(let attempt): attempt == 1 ? "connecting" : "reconnecting (attempt \(attempt))"
        case .subscribed: "subscribed"
        case .disconnected(_, let retryIn): "lost, retrying in \(ClusterBusState.seconds(retryIn)) s"
        case .failed: "stopped"
        }
    }

    /// Whether messages can arrive now.
    package var isSubscribed: Bool { self == .subscribed }

    private static func seconds(_ duration: Duration) -> String {
        let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000)" : "\(Double(milliseconds) / 1000)"
    }
}
