import DeepstreamProtocol
import DeepstreamProxy
import NIOCore
import Testing

/// The observer's partial decode agrees with the full codec on every captured message, and what the
/// observer does without listeners.
@Suite("Partial decode")
struct PartialDecodeTests {
    /// Every message payload of a capture, as the scanners cut them.
    static func payloads(_ frames: [CaptureFrame]) -> [ByteBuffer] {
        var scanners: [String: FrameScanner] = [:]
        var payloads: [ByteBuffer] = []
        for frame in frames {
            let key = frame.client + (frame.toServer ? ">" : "<")
            var scanner = scanners[key] ?? FrameScanner(mode: .frames)
            var messages: [ScannedMessage] = []
            frame.bytes.withUnsafeBytes { scanner.scan($0, into: &messages) }
            scanners[key] = scanner
            payloads += messages.filter { $0.kind == .binary }.compactMap(\.payloadBuffer)
        }
        return payloads
    }

    @Test("every message of the captures: same topic and RPC/AUTH fields as BinaryCodec, payload text on demand")
    func agreesWithCodec() throws {
        let payloads = Self.payloads(CaptureFrames.mixedTopics + CaptureFrames.rpcOpen + CaptureFrames.httpOpen)
        #expect(payloads.count > 100)
        var topics: Set<Topic> = []
        for payload in payloads {
            let full = try BinaryCodec().decode(Array(payload.readableBytesView))
            let partial = try #require(ObservedMessage.decodeBinary(payload))
            #expect(partial.topic == full.topic)
            topics.insert(full.topic)
            switch (full, partial.body) {
            case (.rpc(let rpc), .rpc(let seen)):
                #expect(seen.action == rpc.action)
                #expect(seen.correlationId == rpc.correlationId)
                #expect(seen.name == rpc.name)
                #expect(seen.names == rpc.names)
                #expect(seen.isAck == (rpc.isAck == true))
                #expect(seen.originalAction == rpc.originalAction)
                #expect(seen.data.string == rpc.data)
            case (.auth(let auth), .auth(let action, let data)):
                #expect(action == auth.action)
                #expect(data == auth.data)
            case (.rpc, _), (.auth, _):
                Issue.record("RPC/AUTH message not decoded as such: \(full)")
            default:
                guard case .other = partial.body else {
                    Issue.record("other topic decoded in depth: \(full)")
                    continue
                }
            }
        }
        // Records, events and presence are in the captures and are only counted.
        #expect(topics.isSuperset(of: [.record, .event, .presence, .rpc, .auth, .connection]))
    }

    @Test("what the codec refuses, the partial decode refuses: garbage, unknown topics, bad UTF-8, wrong wire types")
    func refusesLikeCodec() {
        let rpcRequest = BinaryCodec().encode(.rpc(RPCMessage(action: .request, data: "1", correlationId: "c", name: "n")))
        var badUTF8 = rpcRequest
        // The name "n" is the last byte: make it an invalid UTF-8 byte.
        badUTF8[badUTF8.count - 1] = 0xFF
        let cases: [[UInt8]] = [
            [], [0xFF, 0xFF, 0x01], Array("hello".utf8), [0x04, 0x10, 0x63, 0x1A, 0x00],  // topic 99
            badUTF8, Array(rpcRequest.dropLast()),
            [0x04, 0x12, 0x01, 0x06, 0x1A],  // topic field with a length-delimited wire type
        ]
        for bytes in cases {
            let codec = (try? BinaryCodec().decode(bytes)) != nil
            let partial = ObservedMessage.decodeBinary(ByteBuffer(bytes: bytes)) != nil
            #expect(codec == partial, "\(bytes)")
            #expect(!partial, "\(bytes)")
        }
        #expect(ObservedMessage.decodeBinary(ByteBuffer(bytes: rpcRequest)) != nil)
    }

    @Test("payload text with multi-byte UTF-8 is kept; an invalid payload is refused")
    func payloadUTF8() throws {
        let text = "{\"grüße\":\"日本\"}"
        let bytes = BinaryCodec().encode(.rpc(RPCMessage(action: .response, data: text, correlationId: "c", name: "n")))
        guard case .rpc(let rpc)? = ObservedMessage.decodeBinary(ByteBuffer(bytes: bytes))?.body else {
            Issue.record("not decoded")
            return
        }
        #expect(rpc.data.string == text)
        var broken = bytes
        let index = try #require(broken.firstIndex(of: 0xC3))
        broken[index] = 0xFF
        #expect(ObservedMessage.decodeBinary(ByteBuffer(bytes: broken)) == nil)
        #expect((try? BinaryCodec().decode(broken)) == nil)
    }

    @Test("one-byte and longer varints alike: long ids, names and payloads decode as the codec does; cut ones are refused")
    func longFields() throws {
        for size in [1, 120, 127, 128, 129, 300, 20_000] {
            let long = String(repeating: "x", count: size)
            let message = RPCMessage(
                action: .request, data: "\"" + long + "\"", correlationId: "c" + long, name: "n" + long)
            let bytes = BinaryCodec().encode(.rpc(message))
            guard case .rpc(let rpc)? = ObservedMessage.decodeBinary(ByteBuffer(bytes: bytes))?.body else {
                Issue.record("not decoded at size \(size)")
                continue
            }
            #expect(rpc.correlationId == message.correlationId && rpc.name == message.name && rpc.data.string == message.data)
            for cut in [1, 2, bytes.count / 2, bytes.count - 1] {
                let prefix = Array(bytes.prefix(cut))
                let codec = (try? BinaryCodec().decode(prefix)) != nil
                #expect(codec == (ObservedMessage.decodeBinary(ByteBuffer(bytes: prefix)) != nil), "size \(size), cut \(cut)")
            }
        }
    }

    @Test("without listeners the observer builds no events but follows calls and counts topics the same")
    func quietObserver() {
        var loud = ProxyObserver()
        var quiet = ProxyObserver()
        quiet.emitsEvents = false
        var loudEvents: [TrafficEvent] = []
        var quietEvents: [TrafficEvent] = []
        let frames = CaptureFrames.rpcOpen
        var peers: [String: PeerID] = [:]
        var scanners: [String: FrameScanner] = [:]
        for (i, frame) in frames.enumerated() {
            let at = Timestamp(nanoseconds: UInt64(i + 1) * 1_000_000)
            if peers[frame.client] == nil {
                let peer = PeerID(UInt64(peers.count + 1))
                peers[frame.client] = peer
                for observer in [0, 1] {
                    let input = ObservationInput.opened(peer, remoteAddress: "a", path: "/deepstream", at: at)
                    if observer == 0 { loud.handle(input, into: &loudEvents) } else { quiet.handle(input, into: &quietEvents) }
                }
            }
            let key = frame.client + (frame.toServer ? ">" : "<")
            var scanner = scanners[key] ?? FrameScanner(mode: .frames)
            var messages: [ScannedMessage] = []
            frame.bytes.withUnsafeBytes { scanner.scan($0, into: &messages) }
            scanners[key] = scanner
            for message in messages {
                let input = ObservationInput.message(peers[frame.client]!, frame.toServer ? .inbound : .outbound, message, at: at)
                loud.handle(input, into: &loudEvents)
                quiet.handle(input, into: &quietEvents)
                #expect(loud.pendingCallCount == quiet.pendingCallCount)
            }
        }
        #expect(!loudEvents.isEmpty)
        #expect(quietEvents.isEmpty)
        #expect(loud.counters == quiet.counters)
        #expect(loud.counters.messagesPerTopic[.rpc, default: 0] > 0)
    }

    @Test("messages cut from one read stay intact while later reads are scanned (per-read payload buffer)")
    func slicesSurviveLaterReads() {
        var scanner = FrameScanner(mode: .frames)
        var messages: [ScannedMessage] = []
        let first = clientFrame(opcode: 2, [1, 2, 3]) + clientFrame(opcode: 2, [4, 5]) + Array(clientFrame(opcode: 2, [6, 7, 8, 9]).prefix(8))
        let second = Array(clientFrame(opcode: 2, [6, 7, 8, 9]).dropFirst(8)) + serverFrame(opcode: 2, Array(repeating: 0xEE, count: 40))
        first.withUnsafeBytes { scanner.scan($0, into: &messages) }
        #expect(messages.map(\.payload) == [[1, 2, 3], [4, 5]])
        second.withUnsafeBytes { scanner.scan($0, into: &messages) }
        // The unmasked server frame after a masked one: a client stream never has it, the scanner copes.
        #expect(messages.map(\.payload) == [[1, 2, 3], [4, 5], [6, 7, 8, 9], Array(repeating: 0xEE, count: 40)])
    }
}
