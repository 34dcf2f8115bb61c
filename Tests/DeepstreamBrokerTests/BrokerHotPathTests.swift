@testable import DeepstreamBroker
import DeepstreamProtocol
import NIOCore
import NIOWebSocket
import Testing

/// The shortcuts of issue 15 that change no observable behaviour: call events are skipped only when
/// asked, and the scratch unmasking gives the same bytes as NIO.
@Suite("Broker hot path: call events on demand, scratch unmasking")
struct BrokerHotPathTests {
    let t0 = Timestamp(nanoseconds: 1_000_000_000)
    let provider = PeerID(1), requestor = PeerID(2)

    func sentActions(_ actions: [BrokerAction]) -> [RPCAction] { sends(actions).map(\.1.action) }

    /// One call through the router: REQUEST, ACCEPT, RESPONSE; returns each input's actions.
    func call(emittingEvents: Bool) -> [[BrokerAction]] {
        var router = RPCRouter(settings: BrokerConfiguration.RPC(), random: SplitMix64(seed: 1))
        router.emitsCallEvents = emittingEvents
        router.join(provider, user: "p", clientData: nil)
        router.join(requestor, user: "r", clientData: nil)
        _ = router.receive(RPCMessage(action: .provide, correlationId: "0", names: ["f"]), from: provider, at: t0)
        let request = RPCMessage(action: .request, data: "1", correlationId: "c1", name: "f")
        return [
            router.receive(request, from: requestor, at: t0),
            router.receive(RPCMessage(action: .accept, correlationId: "c1", name: "f"), from: provider, at: t0),
            router.receive(RPCMessage(action: .response, data: "2", correlationId: "c1", name: "f"), from: provider, at: t0),
        ]
    }

    @Test("Without call events the same frames and timers go out, only the four step events are missing")
    func callEventsOnDemand() {
        let with = call(emittingEvents: true)
        let without = call(emittingEvents: false)
        #expect(with.flatMap(steps).count == 4)
        #expect(without.flatMap(steps).isEmpty)
        for (a, b) in zip(with, without) {
            #expect(sentActions(a) == sentActions(b))
            #expect(a.filter { if case .tap = $0 { false } else { true } } == b)
        }
        #expect(sentActions(without[0]) == [.request])
        #expect(sentActions(without[2]) == [.response])
    }

    @Test("Scratch unmasking matches NIO's unmaskedData, also into a larger reused buffer")
    func scratchUnmask() {
        var random = SplitMix64(seed: 9)
        var scratch = [UInt8](repeating: 0xAA, count: 20_000)
        for length in Array(0...40) + [16_389] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
            let key = WebSocketMaskingKey([1, 2, 3, 4].map { _ in UInt8.random(in: 0...255, using: &random) })!
            var masked = ByteBuffer(bytes: bytes)
            masked.webSocketMask(key)
            let frame = WebSocketFrame(fin: true, opcode: .binary, maskKey: key, data: masked)
            frame.unmaskPayload(into: &scratch)
            #expect(Array(scratch[0..<length]) == bytes)
        }
        let unmasked = WebSocketFrame(fin: true, opcode: .binary, data: ByteBuffer(bytes: [1, 2, 3]))
        unmasked.unmaskPayload(into: &scratch)
        #expect(Array(scratch[0..<3]) == [1, 2, 3])
    }
}
