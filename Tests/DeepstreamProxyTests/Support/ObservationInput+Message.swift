import DeepstreamProxy
import DeepstreamProtocol

extension ObservationInput {
    /// One message as a read batch of its own: what the forwarding path produces when a read carried
    /// a single message.
    static func message(_ peer: PeerID, _ direction: FrameDirection, _ message: ScannedMessage, at: Timestamp) -> Self {
        .messages(peer, direction, [message], at: at)
    }
}
