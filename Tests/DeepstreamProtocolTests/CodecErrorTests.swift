import Testing
@testable import DeepstreamProtocol

@Suite struct CodecErrorTests {
    let codec = BinaryCodec()

    @Test func emptyFrame() {
        #expect(throws: ProtocolError.emptyFrame) { try codec.decode([]) }
    }

    @Test func oversizeFrameIsRefusedBeforeParsing() {
        let small = BinaryCodec(maximumMessageSize: 16)
        let frame = small.encode(.rpc(RPCMessage(action: .request, data: String(repeating: "x", count: 40))))
        #expect(throws: ProtocolError.messageTooLarge(size: frame.count, limit: 16)) { try small.decode(frame) }
    }

    @Test func malformedVarint() {
        #expect(throws: ProtocolError.malformedVarint(offset: 0)) { try codec.decode([0xff, 0xff]) }
        #expect(throws: ProtocolError.malformedVarint(offset: 0)) { try codec.decode(Array(repeating: 0x80, count: 11) + [1]) }
    }

    @Test func lengthPastEnd() {
        #expect(throws: ProtocolError.lengthPastEnd(offset: 0, length: 6, available: 3)) {
            try codec.decode([0x06, 0x10, 0x02, 0x1a])
        }
        // inner message length runs past the envelope
        #expect(throws: ProtocolError.lengthPastEnd(offset: 4, length: 9, available: 2)) {
            try codec.decode([0x06, 0x10, 0x02, 0x1a, 0x09, 0x08, 0x02])
        }
    }

    @Test func unknownTopic() {
        #expect(throws: ProtocolError.unknownTopic(55)) { try codec.decode([0x06, 0x10, 0x37, 0x1a, 0x02, 0x08, 0x02]) }
    }

    @Test func groupsAndReservedWireTypesAreRefused() {
        #expect(throws: ProtocolError.unsupportedWireType(field: 15, wireType: 3, offset: 5)) {
            try codec.decode([0x06, 0x10, 0x06, 0x1a, 0x02, 0x7b, 0x02])
        }
        #expect(throws: ProtocolError.unsupportedWireType(field: 0, wireType: 0, offset: 5)) {
            try codec.decode([0x06, 0x10, 0x06, 0x1a, 0x02, 0x00, 0x02])
        }
    }

    @Test func wireTypeMismatch() {
        // RPC action (field 1) sent as length-delimited
        #expect(throws: ProtocolError.wireTypeMismatch(field: 1, wireType: 2, offset: 5)) {
            try codec.decode([0x07, 0x10, 0x06, 0x1a, 0x03, 0x0a, 0x01, 0x41])
        }
    }

    @Test func invalidUTF8InString() {
        // RPC name = 0xff
        #expect(throws: ProtocolError.invalidUTF8(field: "name")) {
            try codec.decode([0x09, 0x10, 0x06, 0x1a, 0x05, 0x08, 0x02, 0x3a, 0x01, 0xff])
        }
    }

    @Test func batchedFramesDecodeOnlyTheFirstMessage() throws {
        let frame = codec.encode(.ping) + codec.encode(.pong)
        #expect(try codec.decode(frame) == .ping)
    }

    @Test func unknownFieldsAreSkipped() throws {
        // RPC ACCEPT with an unknown field 15 (varint) and field 8 (old `reason`, string)
        let bytes: [UInt8] = [0x0b, 0x10, 0x06, 0x1a, 0x07, 0x08, 0x04, 0x78, 0x05, 0x42, 0x01, 0x41]
        #expect(try codec.decode(bytes) == .rpc(RPCMessage(action: .accept)))
    }

    @Test func otherTopicsKeepTheirBytes() throws {
        let inner: [UInt8] = [0x08, 0x02, 0x3a, 0x01, 0x65]
        let message = Message.other(topic: .event, payload: inner)
        let frame = codec.encode(message)
        #expect(try codec.decode(frame) == message)
    }

    @Test func unknownActionNumbersRoundTrip() throws {
        let message = Message.rpc(RPCMessage(action: RPCAction(rawValue: 77), originalAction: RPCAction(rawValue: -1)))
        #expect(try codec.decode(codec.encode(message)) == message)
        #expect(RPCAction(rawValue: 77).name == "UNKNOWN_ACTION_77")
    }

    @Test func multiByteLengthPrefix() throws {
        let message = Message.rpc(RPCMessage(action: .response, data: String(repeating: "7", count: 300), correlationId: "c"))
        let frame = codec.encode(message)
        #expect(frame[0] & 0x80 != 0)
        #expect(try codec.decode(frame) == message)
    }
}

@Suite struct JSONCodecTests {
    let codec = JSONCodec()

    @Test func encodesNumericTopicAndTypeScriptNames() {
        let message = Message.rpc(RPCMessage(action: .provide, correlationId: "0", isAck: true, names: ["a", "b"]))
        #expect(codec.encode(message) == #"{"topic":6,"action":8,"correlationId":"0","isAck":true,"names":["a","b"]}"#)
    }

    @Test func parsedDataStandsInForAbsentData() throws {
        let message = try codec.decode(#"{"topic":3,"action":3,"parsedData":{"team":"b"}}"#)
        #expect(message == .auth(AuthMessage(action: .authSuccessful, data: #"{"team":"b"}"#)))
    }

    @Test func nonStringRequestorDataIsSerialised() throws {
        let message = try codec.decode(#"{"topic":6,"action":2,"name":"x","correlationId":"c","requestorData":{"id":1}}"#)
        #expect(message == .rpc(RPCMessage(action: .request, correlationId: "c", name: "x", requestorData: #"{"id":1}"#)))
    }

    @Test(arguments: [
        ("", ProtocolError.emptyFrame),
        ("[1]", .invalidJSONMessage("the frame is not a JSON object")),
        (#"{"topic":"6"}"#, .invalidJSONMessage("`topic` is not a 32-bit integer")),
        (#"{"topic":42,"action":1}"#, .unknownTopic(42)),
        (#"{"topic":6,"action":2,"names":"x"}"#, .invalidJSONMessage("`names` is not an array")),
        (#"{"topic":6,"action":2,"name":5}"#, .invalidJSONMessage("`name` is not a string")),
    ])
    func malformedMessages(text: String, error: ProtocolError) {
        #expect(throws: error) { try codec.decode(text) }
    }

    @Test func invalidJSONSaysWhere() {
        #expect(throws: ProtocolError.self) { try codec.decode("{\"topic\":") }
        do { _ = try codec.decode("{\"topic\":") } catch {
            guard case .invalidJSON(let inner) = error else {
                Issue.record("expected invalidJSON, got \(error)")
                return
            }
            #expect(inner.reason == .unexpectedEnd)
        }
    }

    @Test func otherTopicsRoundTrip() throws {
        let text = #"{"topic":4,"action":3,"name":"news","data":"\"x\""}"#
        let message = try codec.decode(text)
        #expect(message.topic == .event)
        #expect(codec.encode(message) == text)
    }
}
