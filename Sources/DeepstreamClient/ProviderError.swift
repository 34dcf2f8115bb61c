/// Why ``ClientEngine/provide(_:handler:)`` or ``ClientEngine/unprovide(_:)`` refused.
public enum ProviderError: Error, Hashable, Sendable, CustomStringConvertible {
    /// This engine already provides the name (the JS client throws "RPC x already registered").
    case alreadyProvided(String)
    /// This engine does not provide the name.
    case notProvided(String)
    /// The name is empty.
    case invalidName

    /// A one-line explanation.
    public var description: String {
        switch self {
        case .alreadyProvided(let name): "RPC \(name) already registered"
        case .notProvided(let name): "RPC \(name) is not provided"
        case .invalidName: "an RPC name must not be empty"
        }
    }
}
