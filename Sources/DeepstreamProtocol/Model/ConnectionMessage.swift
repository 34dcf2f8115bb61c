/// A message of topic CONNECTION (connection.proto `ConnectionMessage`).
///
/// Optional fields are `nil` when absent on the wire; a present field is written back even when it holds
/// the proto3 default, as the JS encoder does, so decoded frames re-encode byte for byte.
public struct ConnectionMessage: Hashable, Sendable {
    /// Field 1.
    public var action: ConnectionAction
    /// Field 2: JSON text.
    public var data: String?
    /// Field 3.
    public var isError: Bool?
    /// Field 4.
    public var isAck: Bool?
    /// Field 5: the URL the client connected to (CHALLENGE) or should go to (REDIRECT).
    public var url: String?
    /// Field 6: `"0.1a"` from the JS client.
    public var protocolVersion: String?
    /// Field 7: client SDK version, e.g. `"7.1.0"`.
    public var sdkVersion: String?
    /// Field 8: client SDK type, e.g. `"javascript"`.
    public var sdkType: String?

    /// Creates a connection message; every field but the action defaults to absent.
    public init(
        action: ConnectionAction, data: String? = nil, isError: Bool? = nil, isAck: Bool? = nil,
        url: String? = nil, protocolVersion: String? = nil, sdkVersion: String? = nil, sdkType: String? = nil
    ) {
        self.action = action
        self.data = data
        self.isError = isError
        self.isAck = isAck
        self.url = url
        self.protocolVersion = protocolVersion
        self.sdkVersion = sdkVersion
        self.sdkType = sdkType
    }
}
