/// One sent composer request, as history keeps and persists it.
public struct ComposerHistoryEntry: Hashable, Sendable, Codable {
    /// The RPC name.
    public var name: String
    /// The body exactly as typed (may be empty for "no payload").
    public var body: String

    /// Creates an entry.
    public init(name: String, body: String) {
        self.name = name
        self.body = body
    }
}
