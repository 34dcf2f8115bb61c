import DeepstreamProtocol

/// One of the console's own providers, as the Providers pane shows it.
package struct OwnProvider: Hashable, Sendable {
    /// Whether the server has the provider registered.
    package enum Registration: Hashable, Sendable {
        /// Not provided.
        case unprovided
        /// PROVIDE sent, not acknowledged yet.
        case providing
        /// Acknowledged by the server.
        case provided
        /// UNPROVIDE sent, not acknowledged yet.
        case unproviding
        /// The server refused (`MESSAGE_DENIED`, `MULTIPLE_PROVIDERS`, …).
        case refused(RPCAction)

        /// Whether the provider is provided or on its way there (what Space toggles).
        package var isWanted: Bool {
            switch self {
            case .providing, .provided: true
            case .unprovided, .unproviding, .refused: false
            }
        }

        /// A short label: `on`, `on…`, `off`, `off…`, `refused: MESSAGE_DENIED`.
        package var label: String {
            switch self {
            case .unprovided: "off"
            case .providing: "on…"
            case .provided: "on"
            case .unproviding: "off…"
            case .refused(let reason): "refused: \(reason.name)"
            }
        }
    }

    /// The RPC name.
    package var name: String
    /// The behaviour summary.
    package var behaviour: String
    /// The recording it answers from; nil for a mock behaviour.
    package var recording: String?
    /// Registration with the server.
    package var registration: Registration = .unprovided
    /// Requests served.
    package var callCount = 0
    /// The latest served request's time from request to answer.
    package var lastLatency: Duration?

    /// Creates a provider from its spec, unprovided.
    package init(_ spec: OwnProviderSpec) {
        name = spec.name
        behaviour = spec.behaviour
        recording = spec.recording
    }

    /// What the Providers pane's INFO column shows: the behaviour, marked `rec` for a recording.
    package var info: String { recording == nil ? behaviour : "rec " + behaviour }
}
