import DeepstreamProtocol

/// One provider registration the console switched off (issue 13): requests the broker dispatches to
/// `peer` for `name` are answered with REJECT on the provider's behalf, so the broker reroutes them or
/// answers NO_RPC_PROVIDER, exactly as if that provider had gone away.
public struct SwitchedOffProvider: Hashable, Sendable {
    /// The provider's connection.
    public let peer: PeerID
    /// The RPC name it provides.
    public let name: String

    /// Creates a switch entry.
    public init(peer: PeerID, name: String) {
        self.peer = peer
        self.name = name
    }

    /// The timeline step a call gets when it is rejected on the provider's behalf. Rule 0 stands for
    /// "the console's switch", not a rule of the file (those are numbered from 1).
    public static let step = CallStep.steered(rule: 0, action: "switched-off", detail: nil)
}
