import DeepstreamProtocol

/// One `{{…}}` expression of a template, parsed; see docs/providers.md for the language.
///
/// Evaluation rules: paths read the request; `+` adds two numbers and concatenates when either side is
/// a string (the other side as text); `-`, `*`, `/` need numbers. Integer arithmetic stays exact while it
/// fits in `Int`; otherwise numbers go through `Double`.
package struct TemplateExpression: Hashable, Sendable {
    /// The template string that holds the expression (for errors).
    package let source: String
    /// Where ``source`` sits in the template's JSON value.
    package let location: String
    /// The parsed tree.
    let node: ExpressionNode

    /// Parses `expression`, a part of `source` whose first scalar is at column `column` of `source`.
    init(expression: Substring, column: Int, source: String, location: String) throws(TemplateError) {
        self.source = source
        self.location = location
        let fail = { (message: String, column: Int) in
            TemplateError(kind: .syntax, message: message, source: source, column: column, location: location)
        }
        let tokens = try ExpressionLexer(expression: expression.unicodeScalars, columnOffset: column, fail: fail).tokens()
        var parser = ExpressionParser(tokens: tokens, fail: fail)
        self.node = try parser.parse()
    }

    /// Parses a bare expression such as `data.numA + data.numB` (columns count from 1 in `text`).
    package init(parsing text: String) throws(TemplateError) {
        try self.init(expression: Substring(text), column: 1, source: text, location: "$")
    }

    /// Evaluates the expression against a request.
    package func evaluate(in context: TemplateContext) throws(TemplateError) -> JSONValue {
        try evaluate(node, in: context)
    }

    private func failure(_ message: String, _ column: Int) -> TemplateError {
        TemplateError(kind: .evaluation, message: message, source: source, column: column, location: location)
    }

    private func evaluate(_ node: ExpressionNode, in context: TemplateContext) throws(TemplateError) -> JSONValue {
        switch node {
        case .literal(let value, _):
            return value
        case .path(let root, let column, let components, let columns):
            return try resolve(root, column: column, components: components, columns: columns, in: context)
        case .negate(let operand, let column):
            let value = try evaluate(operand, in: context)
            guard case .number(let number) = value else {
                throw failure("unary '-' needs a number, got \(value.typeName)", column)
            }
            if let int = number.intValue, int != .min { return .int(-int) }
            return try finite(-number.doubleValue, column)
        case .binary(let op, let lhsNode, let rhsNode, let column):
            let lhs = try evaluate(lhsNode, in: context)
            let rhs = try evaluate(rhsNode, in: context)
            return try apply(op, lhs, rhs, column: column)
        }
    }

    private func resolve(
        _ root: ExpressionNode.Root, column: Int, components: [ExpressionNode.Component], columns: [Int],
        in context: TemplateContext
    ) throws(TemplateError) -> JSONValue {
        let request = context.request
        var value: JSONValue
        switch root {
        case .data:
            guard let data = request.data else {
                throw failure("data is undefined (the request has no payload)", column)
            }
            value = data
        case .name:
            value = .string(request.name)
        case .correlationId:
            value = .string(request.correlationId)
        case .now:
            value = .int(Int(context.now.nanoseconds / 1_000_000))
        case .requestor:
            var requestor = JSONObject()
            requestor["name"] = request.requestorName.map(JSONValue.string)
            requestor["data"] = request.requestorData
            value = .object(requestor)
        }
        var path = root.rawValue
        for (component, componentColumn) in zip(components, columns) {
            switch component {
            case .member(let member):
                guard case .object(let object) = value else {
                    throw failure("\(path) is \(value.typeName), not an object, so it has no member '\(member)'", componentColumn)
                }
                guard let next = object[member] else {
                    if root == .requestor, path == "requestor" {
                        throw failure("requestor.\(member) is undefined (the server sent no requestor \(member))", componentColumn)
                    }
                    throw failure("\(path) has no member '\(member)'", componentColumn)
                }
                value = next
                path += member.isPlainName ? ".\(member)" : "[\"\(member)\"]"
            case .index(let index):
                guard case .array(let array) = value else {
                    throw failure("\(path) is \(value.typeName), not an array, so it has no index [\(index)]", componentColumn)
                }
                guard index < array.count else {
                    throw failure("index [\(index)] is out of range: \(path) has \(array.count) element\(array.count == 1 ? "" : "s")", componentColumn)
                }
                value = array[index]
                path += "[\(index)]"
            }
        }
        return value
    }

    private func apply(_ op: ExpressionNode.Operator, _ lhs: JSONValue, _ rhs: JSONValue, column: Int) throws(TemplateError) -> JSONValue {
        if op == .add, lhs.isString || rhs.isString {
            return .string(lhs.interpolationText + rhs.interpolationText)
        }
        guard case .number(let left) = lhs, case .number(let right) = rhs else {
            let verb = op == .add ? "add" : "apply '\(op.rawValue)' to"
            throw failure("cannot \(verb) \(lhs.typeName) and \(rhs.typeName)", column)
        }
        if let a = left.intValue, let b = right.intValue {
            switch op {
            case .add:
                let (sum, overflow) = a.addingReportingOverflow(b)
                if !overflow { return .int(sum) }
            case .subtract:
                let (difference, overflow) = a.subtractingReportingOverflow(b)
                if !overflow { return .int(difference) }
            case .multiply:
                let (product, overflow) = a.multipliedReportingOverflow(by: b)
                if !overflow { return .int(product) }
            case .divide:
                if b == 0 { throw failure("division by zero", column) }
                if b != -1, a % b == 0 { return .int(a / b) }
            }
        }
        let a = left.doubleValue
        let b = right.doubleValue
        switch op {
        case .add: return try finite(a + b, column)
        case .subtract: return try finite(a - b, column)
        case .multiply: return try finite(a * b, column)
        case .divide:
            if b == 0 { throw failure("division by zero", column) }
            return try finite(a / b, column)
        }
    }

    private func finite(_ value: Double, _ column: Int) throws(TemplateError) -> JSONValue {
        guard value.isFinite else { throw failure("the result \(value) is not a finite number", column) }
        return .double(value)
    }
}

extension JSONValue {
    var isString: Bool {
        if case .string = self { return true }
        return false
    }

    /// The text a value contributes to a longer string: a string's own text, a number's literal, and
    /// JSON text for everything else.
    var interpolationText: String {
        switch self {
        case .string(let text): text
        case .number(let number): number.text
        default: jsonText
        }
    }
}

extension String {
    fileprivate var isPlainName: Bool {
        guard let first = unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "$"
        }
    }
}
