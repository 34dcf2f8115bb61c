/// One of the console's focusable panes, in Tab order.
public enum Pane: String, CaseIterable, Hashable, Sendable {
    /// The console's own providers and, on the embedded broker, every connected client's providers.
    case providers
    /// The RPC composer (name + JSON body).
    case composer
    /// The live call log.
    case calls

    /// The pane after this one in Tab order (wrapping).
    public var next: Pane {
        let all = Pane.allCases
        return all[(all.firstIndex(of: self)! + 1) % all.count]
    }

    /// The pane before this one in Tab order (wrapping).
    public var previous: Pane {
        let all = Pane.allCases
        return all[(all.firstIndex(of: self)! + all.count - 1) % all.count]
    }

    /// The pane's title as drawn on its border.
    public var title: String {
        switch self {
        case .providers: "Providers"
        case .composer: "Composer"
        case .calls: "Calls"
        }
    }
}
