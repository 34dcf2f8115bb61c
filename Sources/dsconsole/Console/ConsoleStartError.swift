/// Why the console cannot start: one line for standard error, then a non-zero exit.
struct ConsoleStartError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The explanation, with the fix where there is one.
    var message: String

    /// An error with `message`.
    init(_ message: String) { self.message = message }

    /// The message.
    var description: String { message }
}
