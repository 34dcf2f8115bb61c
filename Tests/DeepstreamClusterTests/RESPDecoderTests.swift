import DeepstreamCluster
import Testing

@Suite struct RESPDecoderTests {
    private func decodeAll(_ text: String, limits: RESPDecoder.Limits = .init()) throws -> [RESPValue] {
        var decoder = RESPDecoder(limits: limits)
        decoder.feed(Array(text.utf8))
        var values: [RESPValue] = []
        while let value = try decoder.next() { values.append(value) }
        return values
    }

    @Test func everyType() throws {
        let values = try decodeAll("+OK\r\n-WRONGPASS invalid\r\n:42\r\n:-7\r\n$5\r\nhello\r\n$0\r\n\r\n$-1\r\n*-1\r\n*0\r\n")
        #expect(values == [
            .simpleString("OK"), .error("WRONGPASS invalid"), .integer(42), .integer(-7), .bulkString(Array("hello".utf8)),
            .bulkString([]), .bulkString(nil), .array(nil), .array([]),
        ])
    }

    @Test func pubSubMessageWithBinarySafePayload() throws {
        let payload: [UInt8] = [0x7B, 0x0D, 0x0A, 0x00, 0xFF, 0x7D]  // CRLF and NUL inside the bulk
        var bytes = Array("*3\r\n$7\r\nmessage\r\n$1\r\n9\r\n$6\r\n".utf8)
        bytes += payload + [13, 10]
        var decoder = RESPDecoder()
        decoder.feed(bytes)
        #expect(try decoder.next() == .array([.bulkString(Array("message".utf8)), .bulkString([0x39]), .bulkString(payload)]))
        #expect(try decoder.next() == nil)
        #expect(decoder.bufferedByteCount == 0)
    }

    @Test func byteByByteFeedingGivesTheSameValues() throws {
        let text = "*3\r\n$9\r\nsubscribe\r\n$2\r\n11\r\n:3\r\n*2\r\n$4\r\npong\r\n$0\r\n\r\n+PONG\r\n"
        let whole = try decodeAll(text)
        var decoder = RESPDecoder()
        var values: [RESPValue] = []
        for byte in text.utf8 {
            decoder.feed([byte])
            while let value = try decoder.next() { values.append(value) }
        }
        #expect(values == whole)
        #expect(values.count == 3)
    }

    @Test func nestedArrays() throws {
        #expect(try decodeAll("*2\r\n*1\r\n:1\r\n*0\r\n") == [.array([.array([.integer(1)]), .array([])])])
    }

    @Test func malformedInputIsAnError() {
        #expect(throws: RESPError.unknownType(UInt8(ascii: "?"))) { try decodeAll("?x\r\n") }
        #expect(throws: RESPError.badNumber("abc")) { try decodeAll(":abc\r\n") }
        #expect(throws: RESPError.badNumber("-2")) { try decodeAll("$-2\r\n") }
        #expect(throws: RESPError.missingTerminator) { try decodeAll("$2\r\nabXY") }
    }

    @Test func limitsAreEnforcedBeforeBuffering() {
        let small = RESPDecoder.Limits(maximumLineLength: 16, maximumBulkLength: 8, maximumArrayCount: 4, maximumDepth: 2)
        #expect(throws: RESPError.tooLarge("bulk string")) { try decodeAll("$9\r\n", limits: small) }
        #expect(throws: RESPError.tooLarge("array")) { try decodeAll("*5\r\n", limits: small) }
        #expect(throws: RESPError.tooDeep) { try decodeAll("*1\r\n*1\r\n*1\r\n:1\r\n", limits: small) }
        #expect(throws: RESPError.tooLarge("line")) { try decodeAll("+" + String(repeating: "a", count: 40), limits: small) }
    }

    @Test func incompleteInputWaits() throws {
        var decoder = RESPDecoder()
        decoder.feed(Array("$5\r\nhel".utf8))
        #expect(try decoder.next() == nil)
        decoder.feed(Array("lo\r".utf8))
        #expect(try decoder.next() == nil)
        decoder.feed([10])
        #expect(try decoder.next() == .bulkString(Array("hello".utf8)))
    }

    @Test func commandsAndRepliesRoundTrip() throws {
        let command = RESPCommand.encode(["SUBSCRIBE", "6", "9", "11"])
        #expect(String(decoding: command, as: UTF8.self) == "*4\r\n$9\r\nSUBSCRIBE\r\n$1\r\n6\r\n$1\r\n9\r\n$2\r\n11\r\n")
        let values: [RESPValue] = [
            .simpleString("OK"), .error("ERR x"), .integer(-3), .bulkString(nil), .bulkString([1, 2]), .array(nil),
            .array([.bulkString(Array("pmessage".utf8)), .array([.integer(1)])]),
        ]
        var decoder = RESPDecoder()
        for value in values { decoder.feed(RESPCommand.encode(value: value)) }
        var decoded: [RESPValue] = []
        while let value = try decoder.next() { decoded.append(value) }
        #expect(decoded == values)
    }
}
