import DeepstreamProtocol
import DeepstreamProxy
import Testing

/// The observer's call table and keys: agree with `Dictionary` under random inserts and removals,
/// and tell apart ids that pack alike.
@Suite("Call table")
struct CallTableTests {
    @Test("keys: the id comes back as text at every length around the inline limit; equal bytes only are equal")
    func keys() {
        for length in [0, 1, 7, 8, 9, 16, 24, 31, 32, 33, 64, 200] {
            let id = String((0..<length).map { Character(UnicodeScalar(UInt8(97 + $0 % 26))) })
            let key = CallKey(name: 3, correlationId: id)
            #expect(key.correlationId == id)
            #expect(key.length == UInt32(length))
            #expect(key == CallKey(name: 3, correlationId: id))
            #expect(key != CallKey(name: 4, correlationId: id))
            if length > 0 {
                // The last byte differs: inline and overflow ids compare every byte.
                let other = String(id.dropLast()) + "Z"
                #expect(key != CallKey(name: 3, correlationId: other))
            }
        }
        #expect(CallKey(name: 0, correlationId: "a") != CallKey(name: 0, correlationId: "a\u{0}"))
        #expect(CallKey(name: 1, correlationId: "grüße-日本").correlationId == "grüße-日本")
    }

    @Test("table: 20,000 random inserts, updates and removals agree with a Dictionary, lookups of absent keys fail")
    func agreesWithDictionary() {
        var random = SplitMix64(seed: 42)
        // Fixed seed and a small key space: long probe runs and many removals in the middle of them.
        var table = CallTable<Int>(seed: 7)
        var model: [CallKey: Int] = [:]
        for step in 0..<20_000 {
            let id = "c\(Int.random(in: 0..<600, using: &random))" + (Bool.random(using: &random) ? "" : String(repeating: "x", count: 40))
            let key = CallKey(name: UInt32.random(in: 0..<3, using: &random), correlationId: id)
            switch Int.random(in: 0..<10, using: &random) {
            case 0..<5:
                table.set(key, step)
                model[key] = step
            case 5..<8:
                #expect(table.remove(key) == model.removeValue(forKey: key))
            default:
                if let entry = table.entry(of: key) {
                    table[entry: entry] += 1
                    model[key]! += 1
                } else {
                    #expect(model[key] == nil)
                }
            }
            #expect(table.count == model.count)
        }
        for (key, value) in model { #expect(table[key] == value) }
        #expect(Dictionary(uniqueKeysWithValues: zip(table.keys, table.values)) == model)
        for key in Array(model.keys) { table.remove(key) }
        #expect(table.count == 0)
        #expect(table[CallKey(name: 0, correlationId: "c1")] == nil)
    }

    @Test("a masked frame split at every byte is unmasked the same as in one read")
    func maskedFrameSplit() {
        let payload = Array("{\"a\":\"a payload long enough for several words\"}".utf8)
        let mask: [UInt8] = [0x37, 0xFA, 0x21, 0x3D]
        let frame = [0x82, 0x80 | UInt8(payload.count)] + mask + payload.enumerated().map { $0.element ^ mask[$0.offset & 3] }
        for cut in 1..<frame.count {
            var scanner = FrameScanner(mode: .frames)
            var messages: [ScannedMessage] = []
            frame[..<cut].withUnsafeBytes { scanner.scan($0, into: &messages) }
            frame[cut...].withUnsafeBytes { scanner.scan($0, into: &messages) }
            #expect(messages.count == 1 && messages.first?.payload == payload, "cut at \(cut)")
        }
    }

    @Test("the observer gives the same events for one input per read batch as for one batch per message")
    func batchedInputs() {
        var single = ProxyObserver()
        var batched = ProxyObserver()
        var singleEvents: [TrafficEvent] = []
        var batchedEvents: [TrafficEvent] = []
        var peers: [String: PeerID] = [:]
        var scanners: [String: FrameScanner] = [:]
        for (i, frame) in CaptureFrames.rpcOpen.enumerated() {
            let at = Timestamp(nanoseconds: UInt64(i + 1) * 1_000_000)
            if peers[frame.client] == nil {
                let peer = PeerID(UInt64(peers.count + 1))
                peers[frame.client] = peer
                let input = ObservationInput.opened(peer, remoteAddress: "a", path: "/deepstream", at: at)
                single.handle(input, into: &singleEvents)
                batched.handle(input, into: &batchedEvents)
            }
            let key = frame.client + (frame.toServer ? ">" : "<")
            var scanner = scanners[key] ?? FrameScanner(mode: .frames)
            var messages: [ScannedMessage] = []
            frame.bytes.withUnsafeBytes { scanner.scan($0, into: &messages) }
            scanners[key] = scanner
            let peer = peers[frame.client]!
            let direction: FrameDirection = frame.toServer ? .inbound : .outbound
            for message in messages { single.handle(.message(peer, direction, message, at: at), into: &singleEvents) }
            batched.handle(.messages(peer, direction, messages, at: at), into: &batchedEvents)
        }
        #expect(singleEvents.count > 20)
        #expect(singleEvents == batchedEvents)
        #expect(single.counters == batched.counters)
        #expect(single.pendingCallCount == batched.pendingCallCount)
    }
}
