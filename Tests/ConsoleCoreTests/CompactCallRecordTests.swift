@testable import ConsoleCore
import DeepstreamProtocol
import Testing

/// The compact ``CallRecord`` (packed timeline, shared payload buffer, derived provider and times)
/// must read back exactly what the straightforward representation did: these tests replay random
/// step sequences into both and compare every derived value.
@Suite("Compact call record")
struct CompactCallRecordTests {
    /// The straightforward record the compact one replaced: every step kept whole, every value stored.
    struct Reference {
        var status = CallStatus.requested
        var startedAt: Timestamp
        var acceptedAt: Timestamp?
        var endedAt: Timestamp?
        var provider: PeerID?
        var requestData: String?
        var responseData: String?
        var timeline: [CallRecord.TimelineEntry] = []
        var steering: String?

        init(at: Timestamp) { startedAt = at }

        mutating func apply(_ step: CallStep, at: Timestamp) {
            timeline.append(CallRecord.TimelineEntry(step: step, at: at))
            let wasFinal = status.isFinal
            switch step {
            case .requested(let data):
                requestData = data
                startedAt = min(startedAt, at)
            case .routed(let peer):
                provider = peer
                if !wasFinal { status = .routed }
            case .accepted(let peer):
                provider = peer
                if acceptedAt == nil { acceptedAt = at }
                if !wasFinal { status = .accepted }
            case .rejected:
                if !wasFinal { status = .requested }
            case .responded(let data):
                responseData = data
                if !wasFinal { status = .responded }
            case .errored(let data):
                responseData = data
                if !wasFinal { status = .errored }
            case .failed(let reason):
                if !wasFinal { status = .failed(reason) }
            case .denied(let rule, let reason):
                if !wasFinal { status = .denied(rule: rule, reason: reason) }
            case .abandoned(let reason):
                if !wasFinal { status = .abandoned(reason) }
            case .steered(let rule, let action, let detail):
                steering = CallDetailContent.steeringSummary(rule: rule, action: action, detail: detail)
            }
            if step.isFinal && endedAt == nil { endedAt = at }
        }
    }

    /// A small deterministic generator (tests must not depend on a random seed).
    struct Generator {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
    }

    static func randomStep(_ random: inout Generator) -> CallStep {
        let payloads: [String?] = [nil, "1", "{\"n\":42}", "\"héllo ☃\"", String(repeating: "x", count: 300)]
        let peers = [PeerID(1), PeerID(7), PeerID(UInt64(UInt32.max) + 5)]
        switch random.next(10) {
        case 0: return .requested(data: payloads[random.next(payloads.count)])
        case 1: return .routed(to: peers[random.next(peers.count)])
        case 2: return .accepted(by: peers[random.next(peers.count)])
        case 3: return .rejected(by: peers[random.next(peers.count)])
        case 4: return .responded(data: payloads[random.next(payloads.count)])
        case 5: return .errored(data: payloads[random.next(payloads.count)])
        case 6: return .failed(reason: [RPCAction.responseTimeout, .noRPCProvider, RPCAction(rawValue: 999)][random.next(3)])
        case 7: return .denied(rule: "rpc.payments.*.request", reason: .messageDenied)
        case 8: return .abandoned(reason: "client offline")
        default: return .steered(rule: random.next(5) + 1, action: ["fail", "delay-request", "hold"][random.next(3)], detail: "312 ms")
        }
    }

    func expectSame(_ record: CallRecord, _ reference: Reference, _ context: String) {
        #expect(record.status == reference.status, "\(context)")
        #expect(record.startedAt == reference.startedAt, "\(context)")
        #expect(record.acceptedAt == reference.acceptedAt, "\(context)")
        #expect(record.endedAt == reference.endedAt, "\(context)")
        #expect(record.provider == reference.provider, "\(context)")
        #expect(record.requestData == reference.requestData, "\(context)")
        #expect(record.responseData == reference.responseData, "\(context)")
        #expect(record.requestBytes == reference.requestData?.utf8.count, "\(context)")
        #expect(record.responseBytes == reference.responseData?.utf8.count, "\(context)")
        #expect(record.timeline == reference.timeline, "\(context)")
        #expect(record.steering == reference.steering, "\(context)")
        #expect(record.isSteered == (reference.steering != nil), "\(context)")
        let routes = reference.timeline.filter { if case .routed = $0.step { true } else { false } }.count
        #expect(record.wasRerouted == (routes > 1), "\(context)")
        let rejected = reference.timeline.contains { if case .rejected = $0.step { true } else { false } }
        #expect(record.wasRejected == rejected, "\(context)")
    }

    @Test func randomStepSequencesReadBackLikeTheStraightforwardRecord() {
        var random = Generator(state: 15)
        for round in 0..<2_000 {
            let key = CallKey(origin: .broker, call: CallID(requestor: PeerID(3), correlationId: "c\(round)"))
            let start = time(100)
            var record = CallRecord(key: key, sequence: round, name: "rpc", at: start)
            var reference = Reference(at: start)
            var steps: [CallStep] = []
            for index in 0..<(1 + random.next(9)) {
                let step = Self.randomStep(&random)
                // Mostly in time order; now and then a step stamped before the start (a request moves
                // the start back; anything else is kept whole) or more than 4.29 s after it (kept whole).
                let at = switch random.next(8) {
                case 0: time(99)
                case 1: time(95)
                case 2: time(110, ms: index)
                default: time(100, ms: index * 3)
                }
                steps.append(step)
                record.apply(step, at: at)
                reference.apply(step, at: at)
            }
            expectSame(record, reference, "round \(round): \(steps)")
        }
    }

    @Test func anOrdinaryCallKeepsItsStepsAndPayloadsExactly() {
        let key = CallKey(origin: .broker, call: CallID(requestor: PeerID(2), correlationId: "a"))
        var record = CallRecord(key: key, sequence: 0, name: "orders.get", at: time(0))
        var reference = Reference(at: time(0))
        let steps: [CallStep] = [
            .requested(data: "{\"id\":\"ü\"}"), .routed(to: PeerID(5)), .accepted(by: PeerID(5)), .responded(data: "[1,2]"),
        ]
        for (index, step) in steps.enumerated() {
            record.apply(step, at: time(0, ms: index))
            reference.apply(step, at: time(0, ms: index))
        }
        expectSame(record, reference, "ordinary")
        #expect(record.status == .responded)
        #expect(record.totalLatency == .milliseconds(3))
    }

    @Test func aReplacedPayloadKeepsTheEarlierStepsData() {
        let key = CallKey(origin: .outgoing, call: CallID(requestor: nil, correlationId: "b"))
        var record = CallRecord(key: key, sequence: 0, name: "x", at: time(0))
        record.apply(.responded(data: "\"first\""), at: time(1))
        record.apply(.errored(data: "\"second\""), at: time(2))
        #expect(record.responseData == "\"second\"")
        #expect(record.status == .responded)
        #expect(record.timeline.map(\.step) == [.responded(data: "\"first\""), .errored(data: "\"second\"")])
    }
}

@Suite("Call log index")
struct CallLogIndexTests {
    func key(_ index: Int) -> CallKey {
        CallKey(origin: index % 3 == 0 ? .served : .broker, call: CallID(requestor: PeerID(UInt64(index % 5)), correlationId: "cid-\(index)"))
    }

    @Test func findsEveryHeldCallAndNoEvictedOneWhileWrappingManyTimes() {
        var log = CallLog(capacity: 97)
        var held: [CallKey: Int] = [:]
        var order: [CallKey] = []
        for index in 0..<2_000 {
            let key = key(index)
            let outcome = log.record(key, name: "n", step: .requested(data: nil), at: time(index))
            #expect(outcome.isNew)
            held[key] = outcome.record.sequence
            order.append(key)
            if order.count > 97 { held[order.removeFirst()] = nil }
            // Every so often, a step of a held call updates it in place.
            if index % 7 == 0, let old = order.first {
                let update = log.record(old, name: "n", step: .routed(to: PeerID(1)), at: time(index))
                #expect(!update.isNew)
            }
        }
        #expect(log.count == 97)
        #expect(log.droppedCount == 2_000 - 97)
        for index in 0..<2_000 {
            let key = key(index)
            #expect(log.sequence(of: key) == held[key], "call \(index)")
            #expect(log[key]?.key == held[key].map { _ in key }, "call \(index)")
        }
    }

    @Test func recordsOfTheSameLongNameShareItsText() {
        var log = CallLog(capacity: 10)
        // Two equal names built at run time: two allocations until the log interns them.
        func build() -> String { ["payments", "refunds", "create-with-review"].joined(separator: ".") }
        func address(_ text: String?) -> UInt? {
            text?.utf8.withContiguousStorageIfAvailable { UInt(bitPattern: $0.baseAddress) }
        }
        log.record(key(1), name: build(), step: .requested(data: nil), at: time(0))
        log.record(key(2), name: build(), step: .requested(data: nil), at: time(1))
        #expect(log[key(1)]?.name == build())
        #expect(address(log[key(1)]?.name) != nil)
        #expect(address(log[key(1)]?.name) == address(log[key(2)]?.name))
        log.setRequestorName("alice-with-a-long-user-name", of: key(1))
        #expect(log[key(1)]?.requestorName == "alice-with-a-long-user-name")
        log.setRequestorName("bob", of: key(99))
        #expect(log[key(99)] == nil)
    }
}
