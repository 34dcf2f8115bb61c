extension PeerID {
    /// Used in the engine's ``CallStep`` values where a step names a connection the engine cannot
    /// know (the provider of an outgoing call) or that is the engine itself (its served calls).
    /// The broker numbers connections from 1, so 0 never names a real connection.
    public static let unidentified = PeerID(0)
}
