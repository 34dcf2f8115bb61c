/// Which limit refused an oversize request (see ``RPCError/messageTooBig(size:limit:)``).
public enum MessageSizeLimit: Hashable, Sendable {
    /// The client's own `maxMessageSize`, in bytes: the request was refused before it was sent and the
    /// connection is unaffected.
    case client(Int)
    /// The server closed the connection with this WebSocket close code (1009, "message too big")
    /// while the request was the largest one on the wire.
    case server(closeCode: Int)
}
