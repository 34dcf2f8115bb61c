import Testing
@testable import DeepstreamProtocol

/// The example frames of the protocol fact sheet §8, byte for byte.
@Suite struct SpecExampleFrameTests {
    static let examples: [(String, Message)] = [
        ("06 10 02 1a 02 08 02", .ping),
        ("06 10 02 1a 02 08 03", .pong),
        ("06 10 02 1a 02 08 04", .accept),
        (
            "3f 10 02 1a 3b 08 05 2a 1e 77 73 3a 2f 2f 6c 6f 63 61 6c 68 6f 73 74 3a 36 30 32 30 2f 64 65 65 70 73 74 72 65 61 6d 32 04 30 2e 31 61 3a 05 37 2e 31 2e 30 42 0a 6a 61 76 61 73 63 72 69 70 74",
            .connection(ConnectionMessage(
                action: .challenge, url: "ws://localhost:6020/deepstream", protocolVersion: "0.1a",
                sdkVersion: "7.1.0", sdkType: "javascript"))
        ),
        ("0a 10 03 1a 06 08 02 12 02 7b 7d", .auth(AuthMessage(action: .request, data: "{}"))),
        ("0c 10 03 1a 08 08 03 12 04 6e 75 6c 6c", .auth(AuthMessage(action: .authSuccessful, data: "null"))),
        ("06 10 03 1a 02 08 03", .auth(AuthMessage(action: .authSuccessful))),
        (
            "11 10 06 1a 0d 08 08 1a 01 30 32 06 61 64 64 54 77 6f",
            .rpc(RPCMessage(action: .provide, correlationId: "0", names: ["addTwo"]))
        ),
        ("0b 10 06 1a 07 08 08 1a 01 30 28 01", .rpc(RPCMessage(action: .provide, correlationId: "0", isAck: true))),
        (
            "27 10 06 1a 23 08 02 12 13 7b 22 6e 75 6d 41 22 3a 31 2c 22 6e 75 6d 42 22 3a 32 7d 1a 02 63 31 3a 06 61 64 64 54 77 6f",
            .rpc(RPCMessage(action: .request, data: #"{"numA":1,"numB":2}"#, correlationId: "c1", name: "addTwo"))
        ),
        (
            "58 10 06 1a 54 08 02 12 13 7b 22 6e 75 6d 41 22 3a 31 2c 22 6e 75 6d 42 22 3a 32 7d 1a 02 63 31 3a 06 61 64 64 54 77 6f 52 05 75 73 65 72 42 5a 28 7b 22 66 61 76 6f 72 69 74 65 20 63 6f 6c 6f 72 22 3a 22 6f 72 61 6e 67 65 22 2c 22 69 64 22 3a 22 75 73 65 72 42 22 7d",
            .rpc(RPCMessage(
                action: .request, data: #"{"numA":1,"numB":2}"#, correlationId: "c1", name: "addTwo",
                requestorName: "userB", requestorData: #"{"favorite color":"orange","id":"userB"}"#))
        ),
        ("12 10 06 1a 0e 08 04 1a 02 63 31 3a 06 61 64 64 54 77 6f", .rpc(RPCMessage(action: .accept, correlationId: "c1", name: "addTwo"))),
        (
            "15 10 06 1a 11 08 05 12 01 33 1a 02 63 31 3a 06 61 64 64 54 77 6f",
            .rpc(RPCMessage(action: .response, data: "3", correlationId: "c1", name: "addTwo"))
        ),
        ("12 10 06 1a 0e 08 64 1a 02 63 31 3a 06 61 64 64 54 77 6f", .rpc(RPCMessage(action: .noRPCProvider, correlationId: "c1", name: "addTwo"))),
    ]

    @Test(arguments: 0..<examples.count)
    func decodesAndReencodes(index: Int) throws {
        let (hex, expected) = Self.examples[index]
        let bytes = try #require(Hex.bytes(hex))
        let codec = BinaryCodec()
        #expect(try codec.decode(bytes) == expected)
        #expect(codec.encode(expected) == bytes)
        #expect(BinaryCodec.encodedSize(of: expected) == bytes.count)
    }

    @Test("Encoding into raw memory (the broker's outbound buffer) gives the same bytes", arguments: 0..<examples.count)
    func encodesIntoRawMemory(index: Int) throws {
        let (hex, message) = Self.examples[index]
        let bytes = try #require(Hex.bytes(hex))
        var output = [UInt8](repeating: 0xEE, count: bytes.count + 3)
        let written = output.withUnsafeMutableBytes { BinaryCodec().encode(message, into: $0) }
        #expect(written == bytes.count)
        #expect(Array(output[0..<written]) == bytes)
        #expect(output[written...].allSatisfy { $0 == 0xEE })
    }
}
