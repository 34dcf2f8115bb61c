import DeepstreamProtocol

/// What the user does with a call a `hold` rule keeps in the console (issue 13, docs/rules.md).
public enum HeldCallResolution: Hashable, Sendable {
    /// Send the REQUEST on to the provider; with `data`, the request's data is replaced by that JSON
    /// text first (nil keeps the original).
    case release(data: String?)
    /// Answer the requestor with a RESPONSE carrying this JSON text; the provider never sees the call.
    case respond(data: String)
    /// Answer the requestor with a REQUEST_ERROR carrying this JSON text.
    case fail(error: String)
    /// Reject it on the provider's behalf: the broker reroutes or answers NO_RPC_PROVIDER.
    case reject
    /// Never send it: the broker's response timeout ends the call.
    case drop

    /// The timeline step that records the user's choice; `rule` is the hold rule's number. Actions:
    /// `released`, `released-edited` (detail: the new data), `answered`, `answered-error` (detail: the
    /// JSON sent), `rejected-by-hand`, `dropped-by-hand`.
    public func step(rule: Int) -> CallStep {
        switch self {
        case .release(nil): .steered(rule: rule, action: "released", detail: nil)
        case .release(let data?): .steered(rule: rule, action: "released-edited", detail: data)
        case .respond(let data): .steered(rule: rule, action: "answered", detail: data)
        case .fail(let error): .steered(rule: rule, action: "answered-error", detail: error)
        case .reject: .steered(rule: rule, action: "rejected-by-hand", detail: nil)
        case .drop: .steered(rule: rule, action: "dropped-by-hand", detail: nil)
        }
    }
}
