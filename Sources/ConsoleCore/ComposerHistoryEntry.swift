/// One sent composer request, as history keeps and persists it.
package struct ComposerHistoryEntry: Hashable, Sendable, Codable {
    /// The RPC name.
    package var name: String
    /// The body exactly as typed (may be empty for "no payload").
    package var body: String

    /// Creates an entry.
    package init(name: String, body: String) {
        self.name = name
        self.body = body
    }
}
