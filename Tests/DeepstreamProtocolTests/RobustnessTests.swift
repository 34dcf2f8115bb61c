import Testing
@testable import DeepstreamProtocol

@Suite struct RobustnessTests {
    static let seeds: [[UInt8]] = captureVectors.filter { !$0.isText }.compactMap { Hex.bytes($0.payloadHex) }
    static let jsonSeeds: [[UInt8]] = captureVectors.filter(\.isText).compactMap { Hex.bytes($0.payloadHex) }

    /// Flips, inserts, deletes, truncates and splices bytes of a real frame.
    static func mutate(_ input: [UInt8], using rng: inout SplitMix64) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            switch Int.random(in: 0..<7, using: &rng) {
            case 0 where !bytes.isEmpty:
                bytes[Int.random(in: 0..<bytes.count, using: &rng)] ^= UInt8(1 << Int.random(in: 0..<8, using: &rng))
            case 1 where !bytes.isEmpty:
                bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            case 2: bytes.insert(UInt8.random(in: 0...255, using: &rng), at: Int.random(in: 0...bytes.count, using: &rng))
            case 3 where !bytes.isEmpty: bytes.remove(at: Int.random(in: 0..<bytes.count, using: &rng))
            case 4: bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &rng)))
            case 5 where !bytes.isEmpty:
                // set a length-ish byte to something large
                bytes[Int.random(in: 0..<bytes.count, using: &rng)] = [0x7f, 0x80, 0xff, 0x00][Int.random(in: 0..<4, using: &rng)]
            default:
                let other = seeds[Int.random(in: 0..<seeds.count, using: &rng)]
                bytes += other.prefix(Int.random(in: 0...other.count, using: &rng))
            }
        }
        return bytes
    }

    @Test func oneMillionRandomAndMutatedBinaryFramesNeverCrash() {
        var rng = SplitMix64(seed: 0xD5_C0_05E)
        let codec = BinaryCodec(maximumMessageSize: 4096)
        var decoded = 0
        var unstable: [[UInt8]] = []
        for i in 0..<1_000_000 {
            let frame: [UInt8]
            if i % 4 == 0 {
                frame = (0..<Int.random(in: 0..<64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            } else {
                frame = Self.mutate(Self.seeds[Int.random(in: 0..<Self.seeds.count, using: &rng)], using: &rng)
            }
            guard let message = try? codec.decode(frame) else { continue }
            decoded += 1
            // Whatever decodes must re-encode to something that decodes to the same message.
            if (try? codec.decode(codec.encode(message))) != message, unstable.count < 5 { unstable.append(frame) }
        }
        #expect(unstable.isEmpty, "unstable round trips: \(unstable.map(Hex.string))")
        #expect(decoded > 10_000, "the mutator should leave many frames decodable; got \(decoded)")
    }

    @Test func oneHundredThousandMutatedJSONFramesNeverCrash() {
        var rng = SplitMix64(seed: 42)
        let codec = JSONCodec()
        var decoded = 0
        for _ in 0..<100_000 {
            var frame = Self.jsonSeeds[Int.random(in: 0..<Self.jsonSeeds.count, using: &rng)]
            for _ in 0..<Int.random(in: 1...3, using: &rng) where !frame.isEmpty {
                let index = Int.random(in: 0..<frame.count, using: &rng)
                frame[index] = Array(#"{}[]",:0"\e-9tn"#.utf8).randomElement(using: &rng)!
            }
            if let message = try? codec.decode(frame) {
                decoded += 1
                let again = try? codec.decode(codec.encode(message))
                if case .other(let topic, _) = message {
                    // Other topics carry the original object's text; re-encoding normalises it.
                    #expect(again?.topic == topic)
                } else {
                    #expect(again == message, "\(String(decoding: frame, as: UTF8.self))")
                }
            }
        }
        #expect(decoded > 1_000)
    }

    static func randomString(using rng: inout SplitMix64) -> String {
        let alphabet = Array("ab-_0{}\"\\ é✓𝄞\n")
        return String((0..<Int.random(in: 0..<12, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
    }

    static func maybe<T>(_ make: (inout SplitMix64) -> T, using rng: inout SplitMix64) -> T? {
        Bool.random(using: &rng) ? make(&rng) : nil
    }

    static func randomMessage(using rng: inout SplitMix64) -> Message {
        let string: (inout SplitMix64) -> String = { randomString(using: &$0) }
        let bool: (inout SplitMix64) -> Bool = { Bool.random(using: &$0) }
        let action = Int32.random(in: -3...120, using: &rng)
        switch Int.random(in: 0..<5, using: &rng) {
        case 0:
            return .connection(ConnectionMessage(
                action: ConnectionAction(rawValue: action), data: maybe(string, using: &rng),
                isError: maybe(bool, using: &rng), isAck: maybe(bool, using: &rng), url: maybe(string, using: &rng),
                protocolVersion: maybe(string, using: &rng), sdkVersion: maybe(string, using: &rng),
                sdkType: maybe(string, using: &rng)))
        case 1:
            return .auth(AuthMessage(
                action: AuthAction(rawValue: action), data: maybe(string, using: &rng),
                isError: maybe(bool, using: &rng), isAck: maybe(bool, using: &rng)))
        case 2:
            return .rpc(RPCMessage(
                action: RPCAction(rawValue: action), data: maybe(string, using: &rng),
                correlationId: maybe(string, using: &rng), isError: maybe(bool, using: &rng),
                isAck: maybe(bool, using: &rng),
                names: (0..<Int.random(in: 0..<3, using: &rng)).map { _ in randomString(using: &rng) },
                name: maybe(string, using: &rng),
                originalAction: maybe({ RPCAction(rawValue: Int32.random(in: -5...200, using: &$0)) }, using: &rng),
                requestorName: maybe(string, using: &rng), requestorData: maybe(string, using: &rng)))
        case 3:
            return .parser(ParserMessage(
                action: ParserAction(rawValue: action), data: maybe(string, using: &rng),
                originalTopic: maybe({ Topic(rawValue: Int32.random(in: 0...11, using: &$0)) }, using: &rng),
                originalAction: maybe({ Int32.random(in: -5...200, using: &$0) }, using: &rng)))
        default:
            let topic = [Topic.event, .record, .presence, .monitoring, .cluster, .lock].randomElement(using: &rng)!
            return .other(topic: topic, payload: (0..<Int.random(in: 0..<20, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) })
        }
    }

    @Test func randomMessagesRoundTripThroughBothCodecs() throws {
        var rng = SplitMix64(seed: 7)
        let binary = BinaryCodec()
        let json = JSONCodec()
        for _ in 0..<20_000 {
            let message = Self.randomMessage(using: &rng)
            let frame = binary.encode(message)
            #expect(frame.count == BinaryCodec.encodedSize(of: message))
            #expect(try binary.decode(frame) == message)
            if case .other = message { continue }  // ws-json carries other topics as JSON, not protobuf bytes
            #expect(try json.decode(json.encode(message)) == message)
        }
    }
}
