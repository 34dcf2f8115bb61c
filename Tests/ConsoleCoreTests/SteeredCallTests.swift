import ConsoleCore
import DeepstreamProtocol
import Testing

@Suite("Calls a steering rule touched: row mark and timeline text")
struct SteeredCallTests {
    let t0 = Timestamp(nanoseconds: 1_000_000_000)

    func record(_ steps: [CallStep]) -> CallRecord {
        var record = CallRecord(
            key: CallKey(origin: .broker, call: CallID(requestor: PeerID(3), correlationId: "c1")), sequence: 1, name: "search",
            at: t0)
        for step in steps { record.apply(step, at: t0) }
        return record
    }

    @Test("A steered call is marked ⚑ in its row and keeps its status; an untouched one is not")
    func rowMark() {
        let steered = record([
            .requested(data: nil), .steered(rule: 2, action: "delay-request", detail: "312 ms"), .routed(to: PeerID(4)),
            .responded(data: "1"),
        ])
        #expect(steered.steering == "request delayed 312 ms by rule 2")
        #expect(steered.status == .responded)
        let formatter = CallRowFormatter(width: 118)
        #expect(formatter.row(steered, route: "#3 → #4").description.contains("⚑ ok"))
        #expect(!formatter.row(record([.requested(data: nil), .responded(data: "1")]), route: "#3 → #4").description.contains("⚑"))
    }

    @Test("Timeline lines name the rule and what it did", arguments: [
        (CallStep.steered(rule: 1, action: "fail", detail: "\"card declined\""), "failed by rule 1 (REQUEST_ERROR \"card declined\")"),
        (.steered(rule: 2, action: "delay-request", detail: "312 ms"), "request delayed 312 ms by rule 2"),
        (.steered(rule: 3, action: "delay-response", detail: "40 ms"), "response delayed 40 ms by rule 3"),
        (.steered(rule: 4, action: "reject", detail: nil), "answer replaced by REJECT by rule 4"),
        (.steered(rule: 5, action: "drop-response", detail: nil), "response dropped by rule 5"),
    ])
    func timeline(step: CallStep, text: String) {
        #expect(CallDetailContent.describe(step, routedBefore: false, peerLabel: { $0.description }).0 == text)
    }

    @Test("A steered fail is still counted as a REQUEST_ERROR outcome: the steering step is not final")
    func notFinal() {
        let failed = record([.requested(data: nil), .steered(rule: 1, action: "fail", detail: "1"), .errored(data: "1")])
        #expect(failed.status == .errored)
        #expect(failed.steering == "failed by rule 1")
    }
}
