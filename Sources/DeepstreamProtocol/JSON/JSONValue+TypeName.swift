extension JSONValue {
    /// `a number`, `a string`, … for error messages (the rules file, provider templates).
    package var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
