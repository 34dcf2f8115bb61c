/// One key binding: keys, the context where they apply, the command, and the help text.
package struct KeyBinding: Hashable, Sendable {
    /// Where the binding applies.
    package var context: KeyContext
    /// The keys (any of them).
    package var keys: [KeyPress]
    /// What they do.
    package var command: ConsoleCommand
    /// The help text.
    package var description: String

    /// Creates a binding.
    package init(_ context: KeyContext, _ keys: [KeyPress], _ command: ConsoleCommand, _ description: String) {
        self.context = context
        self.keys = keys
        self.command = command
        self.description = description
    }
}
