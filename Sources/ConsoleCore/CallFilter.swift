/// The Calls pane's filter: space-separated terms that must all match (case-insensitive).
///
/// - `name:x` — the RPC name contains `x`; `name:~re` — the name matches the regular expression;
/// - `state:error` (or `state:err`, `state:e`…) — every failed call, the calls the status line counts
///   as errors: `request-error`, `no-provider`, `timeout`, `accept-timeout`, `denied`, `abandoned…`;
/// - `state:x` — otherwise the status label starts with `x` (`state:ok`, `state:timeout`,
///   `state:request-error`, `state:no-provider`);
/// - `state:open` / `state:done` — in flight / ended;
/// - `latency:>100ms`, `latency:<2s`, `latency:>=5ms` — total latency (ended calls only; units `us`,
///   `ms`, `s`, default `ms`);
/// - `~re` — a regular expression searched in the same fields as free text;
/// - `!term` or `-term` — the term must *not* match (`!state:ok`, `-name:health`);
/// - any other term — contained in the name, correlation id, status, route or a payload.
package struct CallFilter: Hashable, Sendable, CustomStringConvertible {
    /// One term of the filter.
    package enum Term: Hashable, Sendable {
        /// `name:x`.
        case name(String)
        /// `name:~re` (a pattern that compiles).
        case nameRegex(String)
        /// `state:x`.
        case state(String)
        /// `latency:>x` (`above`) or `latency:<x`, in nanoseconds; `inclusive` for `>=` / `<=`.
        case latency(above: Bool, inclusive: Bool, nanoseconds: Int64)
        /// `~re` (a pattern that compiles).
        case textRegex(String)
        /// Free text.
        case text(String)
        /// `!term` / `-term`.
        indirect case not(Term)
    }

    /// The terms, all of which must match.
    package private(set) var terms: [Term]
    /// The text the filter was parsed from.
    package let text: String

    /// Parses a filter; an empty text matches everything.
    package init(_ text: String) {
        self.text = text
        terms = text.split(separator: " ").map { Self.term(String($0)) }
    }

    private static func term(_ word: String) -> Term {
        if word.count > 1, let first = word.first, first == "!" || first == "-" {
            return .not(term(String(word.dropFirst())))
        }
        let lower = word.lowercased()
        if lower.hasPrefix("name:~"), FilterRegex(String(word.dropFirst(6))) != nil { return .nameRegex(String(word.dropFirst(6))) }
        if lower.hasPrefix("name:") { return .name(String(lower.dropFirst(5))) }
        if lower.hasPrefix("state:") { return .state(String(lower.dropFirst(6))) }
        if lower.hasPrefix("latency:"), let latency = latency(String(lower.dropFirst(8))) { return latency }
        if word.count > 1, word.hasPrefix("~"), FilterRegex(String(word.dropFirst())) != nil { return .textRegex(String(word.dropFirst())) }
        return .text(lower)
    }

    /// `>100ms`, `<=2s`, `>500us`, `>50` (milliseconds).
    private static func latency(_ text: String) -> Term? {
        var rest = Substring(text)
        guard let comparison = rest.first, comparison == ">" || comparison == "<" else { return nil }
        rest = rest.dropFirst()
        let inclusive = rest.first == "="
        if inclusive { rest = rest.dropFirst() }
        let units: [(String, Double)] = [("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9)]
        var scale = 1e6
        for (suffix, factor) in units where rest.hasSuffix(suffix) {
            scale = factor
            rest = rest.dropLast(suffix.count)
            break
        }
        guard let value = Double(rest), value >= 0 else { return nil }
        return .latency(above: comparison == ">", inclusive: inclusive, nanoseconds: Int64(value * scale))
    }

    /// Whether the filter matches everything.
    package var isEmpty: Bool { terms.isEmpty }

    /// The filter's text.
    package var description: String { text }

    /// `state:error` and its prefixes down to `e` mean every failed call (no label but
    /// `error`-words starts with `e`).
    static func meansError(_ part: String) -> Bool { !part.isEmpty && "error".hasPrefix(part) }

    /// Whether `record` passes; `route` is the row's requestor → provider text. Compiles the regular
    /// expressions on every call: for many records use ``predicate()``.
    package func matches(_ record: CallRecord, route: @autoclosure () -> String = "") -> Bool {
        predicate()(record, route)
    }

    /// The filter as a predicate with its regular expressions compiled once (`route` is called only
    /// when a term needs the route text).
    package func predicate() -> (CallRecord, () -> String) -> Bool {
        var regexes: [String: FilterRegex] = [:]
        func collect(_ term: Term) {
            switch term {
            case .nameRegex(let pattern), .textRegex(let pattern): regexes[pattern] = FilterRegex(pattern)
            case .not(let inner): collect(inner)
            default: break
            }
        }
        terms.forEach(collect)
        let terms = self.terms
        return { record, route in
            terms.allSatisfy { Self.matches($0, record, route, regexes) }
        }
    }

    private static func matches(_ term: Term, _ record: CallRecord, _ route: () -> String, _ regexes: [String: FilterRegex]) -> Bool {
        switch term {
        case .not(let inner):
            return !matches(inner, record, route, regexes)
        case .name(let part):
            return record.name.lowercased().contains(part)
        case .nameRegex(let pattern):
            return regexes[pattern]?.matches(record.name) ?? false
        case .state(let part):
            switch part {
            case "open": return !record.status.isFinal
            case "done": return record.status.isFinal
            case _ where meansError(part): return record.status.isError
            default: return record.status.label.lowercased().hasPrefix(part)
            }
        case .latency(let above, let inclusive, let limit):
            guard let total = record.totalLatency else { return false }
            let (seconds, attoseconds) = total.components
            let nanoseconds = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
            if nanoseconds == limit { return inclusive }
            return above ? nanoseconds > limit : nanoseconds < limit
        case .textRegex(let pattern):
            guard let regex = regexes[pattern] else { return false }
            return fields(record, route).contains { regex.matches($0) }
        case .text(let part):
            return fields(record, route).contains { $0.lowercased().contains(part) }
        }
    }

    private static func fields(_ record: CallRecord, _ route: () -> String) -> [String] {
        [record.name, record.key.call.correlationId, record.status.label, route(), record.requestData ?? "", record.responseData ?? ""]
    }
}
