/// A message of topic RPC (rpc.proto `RpcMessage`).
public struct RPCMessage: Hashable, Sendable {
    /// Field 1.
    public var action: RPCAction
    /// Field 2: JSON text of the payload; `nil` means the payload is undefined (not JSON `null`).
    public var data: String?
    /// Field 3.
    public var correlationId: String?
    /// Field 4.
    public var isError: Bool?
    /// Field 5: set on the server's PROVIDE/UNPROVIDE acknowledgements.
    public var isAck: Bool?
    /// Field 6: the RPC names of a bulk PROVIDE/UNPROVIDE.
    public var names: [String]
    /// Field 7: the RPC name.
    public var name: String?
    /// Field 9: the action being answered (an `RPC_ACTION` number).
    public var originalAction: RPCAction?
    /// Field 10: the requestor's user id, when the server is set to provide it.
    public var requestorName: String?
    /// Field 11: JSON text of the requestor's clientData, when the server is set to provide it.
    public var requestorData: String?

    /// Creates an RPC message; every field but the action defaults to absent.
    public init(
        action: RPCAction, data: String? = nil, correlationId: String? = nil, isError: Bool? = nil,
        isAck: Bool? = nil, names: [String] = [], name: String? = nil, originalAction: RPCAction? = nil,
        requestorName: String? = nil, requestorData: String? = nil
    ) {
        self.action = action
        self.data = data
        self.correlationId = correlationId
        self.isError = isError
        self.isAck = isAck
        self.names = names
        self.name = name
        self.originalAction = originalAction
        self.requestorName = requestorName
        self.requestorData = requestorData
    }
}
