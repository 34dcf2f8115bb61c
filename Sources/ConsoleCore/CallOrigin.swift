import DeepstreamProtocol

/// Who observed a call, which decides how its row reads.
public enum CallOrigin: String, Hashable, Sendable {
    /// This console made the call (engine `outgoingCall`).
    case outgoing
    /// One of this console's providers served it (engine `servedCall`).
    case served
    /// The embedded broker routed it (engine `traffic(.call)`): any client's call.
    case broker
}
