extension CallFilter {
    /// Whether an RPC name passes the filter's `name:` and free-text terms; `state:` terms say
    /// nothing about a name and pass (the Stats view filters names with the Calls pane's filter).
    public func matches(rpcName name: String) -> Bool {
        let lower = name.lowercased()
        for term in terms {
            switch term {
            case .name(let part), .text(let part):
                if !lower.contains(part) { return false }
            case .state:
                continue
            }
        }
        return true
    }
}
