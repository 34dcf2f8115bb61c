/// Identifies one `make` the console asked the runtime to perform, so its result can find its way
/// back to the composer.
package struct RequestID: Hashable, Sendable, CustomStringConvertible {
    /// The number, counting from 1 per console run.
    package var rawValue: UInt64
    /// Creates an id.
    package init(_ rawValue: UInt64) { self.rawValue = rawValue }
    /// `r<n>`.
    package var description: String { "r\(rawValue)" }
}
