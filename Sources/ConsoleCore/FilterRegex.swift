/// A compiled, case-insensitive regular expression of a Calls filter term (`~re`, `name:~re`).
///
/// Not Sendable (`Regex` is not): filters keep only the pattern and compile it once per predicate
/// (``CallFilter/predicate()``).
package struct FilterRegex {
    /// The pattern as typed.
    package let pattern: String
    private let regex: Regex<AnyRegexOutput>

    /// Compiles `pattern`; nil when it is not a valid regular expression (the term is then plain text).
    package init?(_ pattern: String) {
        guard !pattern.isEmpty, let regex = try? Regex(pattern) else { return nil }
        self.pattern = pattern
        self.regex = regex.ignoresCase()
    }

    /// Whether the expression matches somewhere in `text`.
    package func matches(_ text: String) -> Bool { text.contains(regex) }
}
