/// One key binding: keys, the context where they apply, the command, and the help text.
public struct KeyBinding: Hashable, Sendable {
    /// Where the binding applies.
    public var context: KeyContext
    /// The keys (any of them).
    public var keys: [KeyPress]
    /// What they do.
    public var command: ConsoleCommand
    /// The help text.
    public var description: String

    /// Creates a binding.
    public init(_ context: KeyContext, _ keys: [KeyPress], _ command: ConsoleCommand, _ description: String) {
        self.context = context
        self.keys = keys
        self.command = command
        self.description = description
    }
}
