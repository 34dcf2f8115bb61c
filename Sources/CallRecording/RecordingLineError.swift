/// Why one line of a recording could not be read.
package struct RecordingLineError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The problem, for people (`not JSON: …`, `missing "name"`, …).
    package var problem: String
    /// Creates an error.
    package init(_ problem: String) { self.problem = problem }
    /// Same as ``problem``.
    package var description: String { problem }
}
