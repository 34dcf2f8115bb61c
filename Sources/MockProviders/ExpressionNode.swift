import DeepstreamProtocol

/// The syntax tree of a template expression. Every node keeps the column it came from, for errors.
indirect enum ExpressionNode: Hashable, Sendable {
    /// The roots a path may start with.
    enum Root: String, Hashable, Sendable, CaseIterable {
        /// The request's payload.
        case data
        /// The RPC name.
        case name
        /// The request's correlation id.
        case correlationId
        /// `{"name": requestorName, "data": requestorData}`, members present when the server sent them.
        case requestor
        /// Milliseconds since the Unix epoch (integer).
        case now
    }

    /// One step of a path.
    enum Component: Hashable, Sendable {
        /// `.member` or `["member"]`.
        case member(String)
        /// `[index]`.
        case index(Int)
    }

    /// The four arithmetic operators.
    enum Operator: Character, Hashable, Sendable {
        case add = "+"
        case subtract = "-"
        case multiply = "*"
        case divide = "/"
    }

    /// A number, string, `true`, `false` or `null` literal.
    case literal(JSONValue, column: Int)
    /// A root followed by member and index steps; `columns[i]` is the column of `components[i]`.
    case path(Root, column: Int, components: [Component], columns: [Int])
    /// Unary minus.
    case negate(ExpressionNode, column: Int)
    /// `lhs op rhs`; `column` is the operator's.
    case binary(Operator, ExpressionNode, ExpressionNode, column: Int)
}
