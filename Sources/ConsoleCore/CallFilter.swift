/// The Calls pane's filter: space-separated terms that must all match (case-insensitive).
///
/// - `name:x` — the RPC name contains `x`;
/// - `state:x` — the status label starts with `x` (`state:ok`, `state:timeout`, `state:err`,
///   `state:denied` for calls refused by the broker's permissions);
/// - `state:open` / `state:done` — in flight / ended;
/// - any other term — contained in the name, correlation id, status, route or a payload.
public struct CallFilter: Hashable, Sendable, CustomStringConvertible {
    /// One term of the filter.
    public enum Term: Hashable, Sendable {
        /// `name:x`.
        case name(String)
        /// `state:x`.
        case state(String)
        /// Free text.
        case text(String)
    }

    /// The terms, all of which must match.
    public private(set) var terms: [Term]
    /// The text the filter was parsed from.
    public let text: String

    /// Parses a filter; an empty text matches everything.
    public init(_ text: String) {
        self.text = text
        terms = text.split(separator: " ").map { word in
            let lower = word.lowercased()
            if lower.hasPrefix("name:") { return .name(String(lower.dropFirst(5))) }
            if lower.hasPrefix("state:") { return .state(String(lower.dropFirst(6))) }
            return .text(lower)
        }
    }

    /// Whether the filter matches everything.
    public var isEmpty: Bool { terms.isEmpty }

    /// The filter's text.
    public var description: String { text }

    /// Whether `record` passes; `route` is the row's requestor → provider text.
    public func matches(_ record: CallRecord, route: @autoclosure () -> String = "") -> Bool {
        for term in terms {
            switch term {
            case .name(let part):
                if !record.name.lowercased().contains(part) { return false }
            case .state(let part):
                switch part {
                case "open": if record.status.isFinal { return false }
                case "done": if !record.status.isFinal { return false }
                default: if !record.status.label.lowercased().hasPrefix(part) { return false }
                }
            case .text(let part):
                let fields = [
                    record.name, record.key.call.correlationId, record.status.label, route(),
                    record.requestData ?? "", record.responseData ?? "",
                ]
                if !fields.contains(where: { $0.lowercased().contains(part) }) { return false }
            }
        }
        return true
    }
}
