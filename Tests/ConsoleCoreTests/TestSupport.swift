import ConsoleCore
import DeepstreamProtocol

/// A time `seconds` (plus `milliseconds`) after a fixed epoch.
func time(_ seconds: Int, ms milliseconds: Int = 0) -> Timestamp {
    Timestamp(nanoseconds: UInt64(1_764_000_000 + seconds) * 1_000_000_000 + UInt64(milliseconds) * 1_000_000)
}

func makeState(
    embedded: Bool = true, capacity: Int = 1000, columns: Int = 100, rows: Int = 30,
    payloadBudget: Int = CallLog.defaultPayloadBudget
) -> ConsoleState {
    var configuration = ConsoleConfiguration(
        url: "ws://127.0.0.1:6020/deepstream", user: "console", embeddedBroker: embedded,
        callLogCapacity: capacity)
    configuration.payloadBudget = payloadBudget
    return ConsoleState(configuration: configuration, columns: columns, rows: rows)
}

@discardableResult
func press(_ state: inout ConsoleState, _ keys: KeyPress...) -> [ConsoleEffect] {
    keys.flatMap { reduce(&state, .key($0)) }
}

@discardableResult
func type(_ state: inout ConsoleState, _ text: String) -> [ConsoleEffect] {
    text.flatMap { character in
        reduce(&state, .key(character == "\n" ? .enter : .character(character)))
    }
}

/// Effects other than redraw requests.
func work(_ effects: [ConsoleEffect]) -> [ConsoleEffect] {
    effects.filter { $0 != .requestRedraw && $0 != .repaint }
}

/// A broker call step for call `cid` of requestor `peer`.
func brokerCall(_ cid: String, _ name: String = "add", peer: UInt64 = 1, _ step: CallStep, at: Timestamp) -> ConsoleAction {
    .engine(.traffic(.call(CallEvent(call: CallID(requestor: PeerID(peer), correlationId: cid), name: name, step: step, at: at))))
}

/// Records `count` complete calls named `name-<i>` on the broker, one per 10 ms from `start`.
func recordCalls(_ state: inout ConsoleState, count: Int, from first: Int = 0, name: String = "rpc", start: Int = 0) {
    for index in first..<(first + count) {
        let at = time(start, ms: index * 10)
        _ = reduce(&state, brokerCall("c\(index)", "\(name)-\(index)", .requested(data: "{}"), at: at))
        _ = reduce(&state, brokerCall("c\(index)", "\(name)-\(index)", .responded(data: "1"), at: at))
    }
}

/// The names of the rows the Calls pane shows.
func visibleNames(_ state: ConsoleState) -> [String] { state.visibleCallRows.map(\.name) }

/// A broker call step of an `add` call.
func brokerCall(_ cid: String, _ step: CallStep, at: Timestamp) -> ConsoleAction {
    brokerCall(cid, "add", peer: 1, step, at: at)
}
