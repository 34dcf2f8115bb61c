/// Why one line of a recording could not be read.
public struct RecordingLineError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The problem, for people (`not JSON: …`, `missing "name"`, …).
    public var problem: String
    /// Creates an error.
    public init(_ problem: String) { self.problem = problem }
    /// Same as ``problem``.
    public var description: String { problem }
}
