import Testing
@testable import DeepstreamProtocol

/// Every frame of real traffic between the real deepstream server 10.1.4 and the real JS client 7.1.0
/// decodes to the message the real protobuf parser saw, and (binary) re-encodes to the same bytes.
@Suite struct CaptureGoldenTests {
    @Test(arguments: captureVectors.filter { !$0.isText })
    func binaryFrameDecodesAndReencodesIdentically(vector: CaptureVector) throws {
        let bytes = try #require(Hex.bytes(vector.payloadHex))
        let codec = BinaryCodec()
        let decoded = try codec.decode(bytes)
        #expect(decoded == vector.expected)
        #expect(Hex.string(codec.encode(decoded)) == vector.payloadHex)
        #expect(BinaryCodec.encodedSize(of: decoded) == bytes.count)
    }

    @Test(arguments: captureVectors.filter { $0.isText })
    func jsonFrameDecodesAndRoundTrips(vector: CaptureVector) throws {
        let bytes = try #require(Hex.bytes(vector.payloadHex))
        let codec = JSONCodec()
        let decoded = try codec.decode(bytes)
        #expect(decoded == vector.expected)
        // The JS client writes extra keys (parsedData, isAck: false), so bytes differ; the message must not.
        #expect(try codec.decode(codec.encode(decoded)) == decoded)
    }

    @Test func everyCaptureScenarioIsCovered() {
        let scenarios = Set(captureVectors.map(\.scenario))
        #expect(scenarios.count == 8)
        #expect(captureVectors.count == 247)
    }
}
