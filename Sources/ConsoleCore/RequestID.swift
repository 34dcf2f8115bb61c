/// Identifies one `make` the console asked the runtime to perform, so its result can find its way
/// back to the composer.
public struct RequestID: Hashable, Sendable, CustomStringConvertible {
    /// The number, counting from 1 per console run.
    public var rawValue: UInt64
    /// Creates an id.
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }
    /// `r<n>`.
    public var description: String { "r\(rawValue)" }
}
