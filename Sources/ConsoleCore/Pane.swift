/// One of the console's focusable panes, in Tab order.
package enum Pane: String, CaseIterable, Hashable, Sendable {
    /// The console's own providers and, on the embedded broker, every connected client's providers.
    case providers
    /// The RPC composer (name + JSON body).
    case composer
    /// The live call log.
    case calls

    /// The pane after this one in Tab order (wrapping).
    package var next: Pane {
        let all = Pane.allCases
        return all[(all.firstIndex(of: self)! + 1) % all.count]
    }

    /// The pane before this one in Tab order (wrapping).
    package var previous: Pane {
        let all = Pane.allCases
        return all[(all.firstIndex(of: self)! + all.count - 1) % all.count]
    }

    /// The pane's title as drawn on its border.
    package var title: String {
        switch self {
        case .providers: "Providers"
        case .composer: "Composer"
        case .calls: "Calls"
        }
    }
}
