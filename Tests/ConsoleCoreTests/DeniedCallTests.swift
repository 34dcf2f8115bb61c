import ConsoleCore
import DeepstreamProtocol
import Testing

@Suite("Calls the broker's permissions refused")
struct DeniedCallTests {
    @Test("A denied call has state denied, a timeline line naming the rule, and state:denied finds it")
    func deniedCall() {
        var state = makeState()
        _ = reduce(&state, brokerCall("a", "payments.charge", .requested(data: "{\"amount\":5}"), at: time(0)))
        _ = reduce(&state, brokerCall(
            "a", "payments.charge", .denied(rule: "rpc.payments.*.request", reason: .messageDenied), at: time(0, ms: 1)))
        _ = reduce(&state, brokerCall("b", "add", .requested(data: nil), at: time(1)))
        _ = reduce(&state, brokerCall("b", "add", .responded(data: "1"), at: time(1)))

        let record = state.calls.log[sequence: state.calls.log.firstSequence]
        #expect(record?.status == .denied(rule: "rpc.payments.*.request", reason: .messageDenied))
        #expect(record?.status.label == "denied" && record?.status.isFinal == true && record?.status.isError == true)
        let lines = record?.timeline.map {
            CallDetailContent.describe($0.step, routedBefore: false, peerLabel: { $0.description }).0
        }
        #expect(lines == ["requested (12B)", "denied by rpc.payments.*.request (MESSAGE_DENIED)"])
        #expect(CallDetailContent.describe(
            .denied(rule: "rpc.a.request: TypeError: x", reason: .messagePermissionError), routedBefore: false,
            peerLabel: { $0.description }).0 == "permission error (MESSAGE_PERMISSION_ERROR) in rpc.a.request: TypeError: x")

        press(&state, .character("/"))
        type(&state, "state:denied")
        press(&state, .enter)
        #expect(visibleNames(state) == ["payments.charge"])
    }
}
