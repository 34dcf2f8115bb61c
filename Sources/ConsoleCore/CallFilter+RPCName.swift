extension CallFilter {
    /// Whether an RPC name passes the filter's name and free-text terms (plain, `~regex`, negated);
    /// `state:` and `latency:` terms say nothing about a name and pass (the Stats view filters names
    /// with the Calls pane's filter).
    package func matches(rpcName name: String) -> Bool {
        let lower = name.lowercased()
        func passes(_ term: Term) -> Bool? {
            switch term {
            case .name(let part), .text(let part): lower.contains(part)
            case .nameRegex(let pattern), .textRegex(let pattern): FilterRegex(pattern)?.matches(name) ?? false
            case .not(let inner): passes(inner).map { !$0 }
            case .state, .latency: nil
            }
        }
        return terms.allSatisfy { passes($0) ?? true }
    }
}
