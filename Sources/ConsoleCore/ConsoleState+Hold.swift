import DeepstreamProtocol
import RPCSteering

/// Calls a `hold` rule keeps in the console (issue 13): listed by a status-line badge, resolved from
/// their detail view (`a` release, `E` edit and release, `O` answer, `F` answer with an error, `X`
/// reject, `D` drop); every resolution is a ``ConsoleEffect/resolveHeld(_:_:)`` for the broker.
extension ConsoleState {
    /// The timeline actions that end a hold.
    static let holdResolutions: Set<String> = [
        "released", "released-edited", "answered", "answered-error", "rejected-by-hand", "dropped-by-hand",
    ]

    /// Keeps hit counts and the held list up to date from one broker step of a call (cheap for the
    /// usual step: one switch, one `isEmpty` check).
    mutating func noteSteering(_ step: CallStep, key: CallKey, record: CallRecord) {
        switch step {
        case .steered(let rule, let action, _):
            countRuleHit(rule: rule, in: record)
            if action == "hold" {
                if !heldCalls.contains(key) { heldCalls.append(key) }
                notify("\(record.name) is held by rule \(rule): H opens it (a release · E edit · O answer · F error · X reject · D drop)")
            } else if Self.holdResolutions.contains(action) {
                heldCalls.removeAll { $0 == key }
            }
        default:
            guard step.isFinal, !heldCalls.isEmpty, let index = heldCalls.firstIndex(of: key) else { return }
            // The broker ended it while it waited (response timeout, requestor gone, shutdown), or the
            // proxy did (its connection ended).
            heldCalls.remove(at: index)
            let outcome = if case .failed(let reason) = record.status { reason.name } else { record.status.label }
            notify("Held call \(record.name) ended while held: \(outcome)", isError: true)
        }
    }

    /// Whether the detail view shows a held call.
    package var isDetailHeld: Bool {
        guard case .detail(let key, _) = overlay else { return false }
        return heldCalls.contains(key)
    }

    /// `H`: the detail of the oldest held call.
    mutating func openHeldCall() {
        guard let key = heldCalls.first else {
            notify("No held calls (a rule with \"action\": \"hold\" keeps calls here)")
            return
        }
        overlay = .detail(key, scroll: 0)
        isDetailExpanded = false
    }

    /// A resolution key in the detail of a held call.
    mutating func resolveHeldCall(_ command: ConsoleCommand) -> [ConsoleEffect] {
        guard case .detail(let key, _) = overlay, heldCalls.contains(key) else { return [.requestRedraw] }
        switch command {
        case .releaseHeld:
            return resolve(key, .release(data: nil))
        case .rejectHeld:
            return resolve(key, .reject)
        case .dropHeld:
            return resolve(key, .drop)
        case .editHeld:
            // A held call's request released by the budget cannot be edited: it would go out empty.
            if let record = calls.log[key], let bytes = record.requestNotKeptBytes {
                notify("Cannot edit held \(record.name): " + ReplayRefusal.notKept(bytes: bytes).text, isError: true)
                return [.requestRedraw]
            }
            let text = calls.log[key]?.requestData ?? ""
            overlay = .heldInput(key, .release, LineEditor(text))
        case .answerHeld:
            overlay = .heldInput(key, .respond, LineEditor())
        case .failHeld:
            overlay = .heldInput(key, .fail, LineEditor(#""held call failed by hand""#))
        default:
            break
        }
        promptError = nil
        return [.requestRedraw]
    }

    /// Enter in the held-call editor: the JSON must parse; then the call is resolved.
    mutating func confirmHeldInput() -> [ConsoleEffect] {
        guard case .heldInput(let key, let kind, let editor) = overlay else { return [.requestRedraw] }
        let text = editor.text
        guard let value = try? JSONValue(parsing: text) else {
            promptError = "Not valid JSON: fix it, or Esc to go back to the call"
            return [.requestRedraw]
        }
        promptError = nil
        overlay = .detail(key, scroll: 0)
        let json = value.jsonText
        switch kind {
        case .release: return resolve(key, .release(data: json))
        case .respond: return resolve(key, .respond(data: json))
        case .fail: return resolve(key, .fail(error: json))
        }
    }

    private mutating func resolve(_ key: CallKey, _ resolution: HeldCallResolution) -> [ConsoleEffect] {
        let name = calls.log[key]?.name ?? key.call.correlationId
        let what = switch resolution {
        case .release(nil): "released"
        case .release: "released with the edited data"
        case .respond: "answered with a RESPONSE"
        case .fail: "answered with a REQUEST_ERROR"
        case .reject where configuration.embeddedBroker: "rejected (REJECT on the provider's behalf)"
        case .reject: "rejected (answered NO_RPC_PROVIDER: the server never saw it)"
        case .drop where configuration.embeddedBroker: "dropped (the broker's response timeout will end it)"
        case .drop: "dropped (the requestor's client times out on its own)"
        }
        notify("Held call \(name) \(what)")
        return [.resolveHeld(key.call, resolution), .requestRedraw]
    }
}

/// What the held-call editor sends.
package enum HeldInputKind: Hashable, Sendable {
    /// The request's data, edited, then released.
    case release
    /// A RESPONSE's data.
    case respond
    /// A REQUEST_ERROR's error.
    case fail

    /// The editor's label.
    package var label: String {
        switch self {
        case .release: "request data (Enter releases the call with it)"
        case .respond: "RESPONSE data (Enter answers the requestor)"
        case .fail: "REQUEST_ERROR error (Enter answers the requestor)"
        }
    }
}
