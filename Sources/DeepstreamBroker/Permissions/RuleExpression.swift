/// The syntax tree of one Valve rule expression (a JavaScript expression without calls other than
/// the string methods deepstream allows, assignments, functions or `new`).
public indirect enum RuleExpression: Hashable, Sendable {
    /// A literal value.
    case literal(RuleValue)
    /// A variable: `user`, `data`, `name`, `action`, `now`, a path variable (`$id`), or a global
    /// (`undefined`, `NaN`, `Infinity`).
    case identifier(String)
    /// `object.name` or `object[key]`.
    case member(RuleExpression, key: RuleExpression)
    /// `object.method(arguments…)`, method one of ``RuleParser/supportedMethods``.
    case methodCall(RuleExpression, method: String, arguments: [RuleExpression])
    /// `[a, b, …]`.
    case arrayLiteral([RuleExpression])
    /// `!x`, `-x`, `+x`, `typeof x`.
    case unary(String, RuleExpression)
    /// Arithmetic, comparison and equality operators.
    case binary(String, RuleExpression, RuleExpression)
    /// `a && b`.
    case and(RuleExpression, RuleExpression)
    /// `a || b`.
    case or(RuleExpression, RuleExpression)
    /// `a ? b : c`.
    case conditional(RuleExpression, RuleExpression, RuleExpression)

    /// Whether the expression reads the identifier `name` anywhere.
    func reads(_ name: String) -> Bool {
        switch self {
        case .literal: false
        case .identifier(let id): id == name
        case .member(let object, let key): object.reads(name) || key.reads(name)
        case .methodCall(let object, _, let arguments): object.reads(name) || arguments.contains { $0.reads(name) }
        case .arrayLiteral(let items): items.contains { $0.reads(name) }
        case .unary(_, let operand): operand.reads(name)
        case .binary(_, let a, let b), .and(let a, let b), .or(let a, let b): a.reads(name) || b.reads(name)
        case .conditional(let a, let b, let c): a.reads(name) || b.reads(name) || c.reads(name)
        }
    }
}
