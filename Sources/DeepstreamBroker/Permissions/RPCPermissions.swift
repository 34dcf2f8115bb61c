import DeepstreamProtocol

/// The `rpc` section of a deepstream Valve permissions file, compiled: for each PROVIDE or REQUEST
/// name, the rule of the longest matching path (the later one on a tie, as deepstream) decides.
///
/// As in deepstream 10.1.4, only a rule result of exactly `false` denies; a rule that throws (e.g.
/// reads a property of `null`) is a permission *error*; a name no path with that rule type matches
/// is denied.
public struct RPCPermissions: Hashable, Sendable {
    /// The two RPC rule types.
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        /// May this connection provide the name?
        case provide
        /// May this connection request the name? (`data` is the request data.)
        case request

        var action: Double { self == .provide ? 8 : 2 }
    }

    /// One rule: a constant or an expression with its source.
    public enum Rule: Hashable, Sendable {
        /// `true` or `false`.
        case constant(Bool)
        /// A parsed expression.
        case expression(RuleExpression, source: String)
    }

    /// One path with its rules.
    public struct Ruleset: Hashable, Sendable {
        /// The path pattern.
        public var pattern: PathPattern
        /// Rules by type.
        public var rules: [Kind: Rule]
    }

    /// The rulesets in file order.
    public let rulesets: [Ruleset]

    /// Creates the permissions from compiled rulesets.
    public init(rulesets: [Ruleset]) { self.rulesets = rulesets }

    /// Everything is allowed (deepstream's default `permissions.yml` for rpc).
    public static let allowAll = RPCPermissions(rulesets: [
        Ruleset(pattern: try! PathPattern("*"), rules: [.provide: .constant(true), .request: .constant(true)])
    ])

    /// The position in ``rulesets`` of the ruleset that decides `kind` for `name`, if any. It depends
    /// only on the name, so callers may cache it (the router does).
    public func rulesetIndex(for kind: Kind, name: String) -> Int? {
        let scalars = Array(name.unicodeScalars)
        var best: Int?
        for (index, ruleset) in rulesets.enumerated() where ruleset.rules[kind] != nil {
            if ruleset.pattern.length >= best.map({ rulesets[$0].pattern.length }) ?? 0,
                PathPattern.matches(scalars, steps: ruleset.pattern.compiled)
            {
                best = index
            }
        }
        return best
    }

    /// The ruleset that decides `kind` for `name`, if any.
    public func ruleset(for kind: Kind, name: String) -> Ruleset? {
        rulesetIndex(for: kind, name: name).map { rulesets[$0] }
    }

    /// Decides whether `subject` may `kind` the RPC `name`. `data` is the request's JSON text (nil when
    /// absent); it is parsed only if the rule reads `data`. `now` is the rule's `now` (ms since 1970).
    public func check(
        _ kind: Kind, name: String, subject: PermissionSubject, data: String?, now: Timestamp
    ) -> PermissionDecision {
        check(kind, name: name, rulesetIndex: rulesetIndex(for: kind, name: name), subject: subject, data: data, now: now)
    }

    /// ``check(_:name:subject:data:now:)`` with the ruleset already chosen by ``rulesetIndex(for:name:)``.
    public func check(
        _ kind: Kind, name: String, rulesetIndex: Int?, subject: PermissionSubject, data: String?, now: Timestamp
    ) -> PermissionDecision {
        guard let rulesetIndex, rulesets.indices.contains(rulesetIndex), let rule = rulesets[rulesetIndex].rules[kind] else {
            return .denied(rule: nil)
        }
        let chosen = rulesets[rulesetIndex]
        let label = "rpc.\(chosen.pattern.path).\(kind.rawValue)"
        switch rule {
        case .constant(let allowed):
            return allowed ? .allowed(rule: label) : .denied(rule: label)
        case .expression(let expression, _):
            var variables: [String: RuleValue] = [
                "user": .object([
                    "isAuthenticated": .bool(subject.user != "open"),
                    "id": .string(subject.user),
                    "data": RuleValue(subject.serverData ?? .null),
                ]),
                "name": .string(name),
                "action": .number(kind.action),
                "now": .number(Double(now.nanoseconds / 1_000_000)),
                "oldData": .undefined,
            ]
            let names = chosen.pattern.variables
            let values = chosen.pattern.captures(name) ?? []
            for (variable, value) in zip(names, values) { variables[variable] = .string(value) }
            var evaluator = RuleEvaluator(variables: variables) { () throws(RuleEvaluator.Failure) -> RuleValue in
                guard let data else { return .undefined }
                do { return RuleValue(try JSONValue(parsing: data)) } catch {
                    throw RuleEvaluator.Failure("error when converting message data \(error)")
                }
            }
            do throws(RuleEvaluator.Failure) {
                // Deepstream's message processor denies only when the rule's result `=== false`.
                let result = try evaluator.evaluate(expression)
                return result == .bool(false) ? .denied(rule: label) : .allowed(rule: label)
            } catch {
                return .failed(rule: label, reason: error.message)
            }
        }
    }
}

/// Who is asking, as a rule sees it (`user.id`, `user.data`).
public struct PermissionSubject: Hashable, Sendable {
    /// The user id from the login (`open` for anonymous open-auth logins).
    public var user: String
    /// The user's serverData from the users file (`user.data`).
    public var serverData: JSONValue?

    /// Creates a subject.
    public init(user: String, serverData: JSONValue?) {
        self.user = user
        self.serverData = serverData
    }
}

/// The outcome of a permission check.
public enum PermissionDecision: Hashable, Sendable {
    /// Allowed by the named rule (`rpc.payments.*.request`).
    case allowed(rule: String)
    /// Denied (MESSAGE_DENIED) by the named rule, or because no rule applies (`nil`).
    case denied(rule: String?)
    /// The rule threw while evaluated (MESSAGE_PERMISSION_ERROR).
    case failed(rule: String, reason: String)
}
