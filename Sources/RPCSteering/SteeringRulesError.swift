/// Why a rules file could not be loaded: which file, which rule, what.
public struct SteeringRulesError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file's name or path as the caller gave it.
    public var file: String
    /// The 0-based index in `rules`, when the problem is in one rule.
    public var index: Int?
    /// What is wrong, e.g. `ms: the range "400..200" is empty`.
    public var message: String

    /// Creates an error.
    public init(file: String, index: Int? = nil, message: String) {
        self.file = file
        self.index = index
        self.message = message
    }

    /// One line: `FILE: rules[2]: rate: expected a number within 0…1, got 1.5`.
    public var description: String {
        let place = index.map { "rules[\($0)]: " } ?? ""
        let line = "\(file): \(place)\(message)"
        // Values come from the file and may hold line breaks: keep the promise of one line.
        return String(line.map { $0.isNewline ? " " : $0 })
    }
}
