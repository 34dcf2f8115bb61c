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
    /// The request was too big: either the client's own `maxMessageSize` refused it before anything
    /// was sent (the connection stays), or the server closed the connection with WebSocket close code
    /// 1009 when it arrived (its `maxMessageSize` is smaller). `size` is the encoded REQUEST in bytes.
    case messageTooBig(size: Int, limit: MessageSizeLimit)
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
        case .messageTooBig: "message too big"
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
        case .messageTooBig(let size, .client(let limit)):
            "message too big: the request is \(Self.grouped(size)) bytes, over the client's maxMessageSize of "
                + "\(Self.grouped(limit)) bytes; it was not sent"
        case .messageTooBig(let size, .server(let closeCode)):
            "message too big: the request is \(Self.grouped(size)) bytes and the server closed the connection "
                + "with \(closeCode) (its maxMessageSize is smaller)"
        case .timeout(let duration): "timeout: no answer within \(duration)"
        case .invalidResponseData(let text): "INVALID_MESSAGE_DATA: \(text)"
        default: name
        }
    }

    /// The text for a call's `abandoned` step (timeline, JSON Lines): the full explanation where the
    /// short ``name`` would hide what happened, the name otherwise.
    public var abandonReason: String {
        switch self {
        case .messageTooBig: description
        default: name
        }
    }

    /// `5012` as `5,012`.
    package static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return value < 0 ? "-" + out : out
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
