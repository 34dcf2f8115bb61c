import DeepstreamProtocol

/// Who observed a call, which decides how its row reads.
package enum CallOrigin: String, Hashable, Sendable {
    /// This console made the call (engine `outgoingCall`).
    case outgoing
    /// One of this console's providers served it (engine `servedCall`).
    case served
    /// The embedded broker routed it (engine `traffic(.call)`): any client's call.
    case broker

    /// Where the row comes from, in a user's words (the detail view's summary).
    package var sourceDescription: String {
        switch self {
        case .outgoing: "sent by this console"
        case .served: "answered by this console's provider"
        case .broker: "routed by the embedded server"
        }
    }
}
