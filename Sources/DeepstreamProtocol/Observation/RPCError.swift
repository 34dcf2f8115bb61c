/// Why `ClientEngine.make(_:data:timeout:)` (DeepstreamClient) did not return a result.
public enum RPCError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The server found no provider, or every provider rejected (`NO_RPC_PROVIDER`).
    case noRPCProvider
    /// The provider did not accept in time (`ACCEPT_TIMEOUT`, server-side timer).
    case acceptTimeout
    /// The provider did not answer in time (`RESPONSE_TIMEOUT`, server-side timer).
    case responseTimeout
    /// The server's permissions refused the request (`MESSAGE_DENIED`).
    case messageDenied
    /// The server's permission check failed (`MESSAGE_PERMISSION_ERROR`).
    case messagePermissionError
    /// The provider answered with REQUEST_ERROR; the value is its error payload (`nil` when it sent
    /// none — the JS client resolves in that case, this engine reports it as an error).
    case requestError(JSONValue?)
    /// The engine was not connected, the connection was lost while the call was in flight, or the
    /// offline buffer expired (`client offline`).
    case clientOffline
    /// The encoded REQUEST would exceed `maxMessageSize`; nothing was sent.
    case messageTooLarge(size: Int, limit: Int)
    /// The caller's own deadline (`timeout:`) passed before an answer arrived.
    case timeout(Duration)
    /// The awaiting task was cancelled.
    case cancelled
    /// The server answered with an action that does not end a call normally (e.g. `INVALID_MESSAGE_DATA`).
    case unexpectedReply(RPCAction)
    /// The answer's `data` was not valid JSON text.
    case invalidResponseData(String)
    /// The RPC name is empty.
    case invalidName

    /// The JS client's error string where one exists (`NO_RPC_PROVIDER`, `client offline`, …).
    public var name: String {
        switch self {
        case .noRPCProvider: "NO_RPC_PROVIDER"
        case .acceptTimeout: "ACCEPT_TIMEOUT"
        case .responseTimeout: "RESPONSE_TIMEOUT"
        case .messageDenied: "MESSAGE_DENIED"
        case .messagePermissionError: "MESSAGE_PERMISSION_ERROR"
        case .requestError: "REQUEST_ERROR"
        case .clientOffline: "client offline"
        case .messageTooLarge: "message too large"
        case .timeout: "timeout"
        case .cancelled: "cancelled"
        case .unexpectedReply(let action): action.name
        case .invalidResponseData: "INVALID_MESSAGE_DATA"
        case .invalidName: "INVALID_RPC_NAME"
        }
    }

    /// A one-line explanation.
    public var description: String {
        switch self {
        case .requestError(let value): "REQUEST_ERROR: \(value?.jsonText ?? "(no data)")"
        case .messageTooLarge(let size, let limit): "message too large: \(size) bytes, limit \(limit)"
        case .timeout(let duration): "timeout: no answer within \(duration)"
        case .invalidResponseData(let text): "INVALID_MESSAGE_DATA: \(text)"
        default: name
        }
    }

    /// The error a server error action maps to, if it ends a call.
    package static func fromServer(_ action: RPCAction) -> RPCError? {
        switch action {
        case .noRPCProvider: .noRPCProvider
        case .acceptTimeout: .acceptTimeout
        case .responseTimeout: .responseTimeout
        case .messageDenied: .messageDenied
        case .messagePermissionError: .messagePermissionError
        default: nil
        }
    }
}
