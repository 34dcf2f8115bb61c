import DeepstreamCluster
import DeepstreamProtocol
import Testing

@Suite struct BusDecodingTests {
    @Test func checksumMatchesTheReferenceExamples() {
        #expect(ProviderChecksum.hash("provider-n1") == -2_230_313_249)
        #expect(ProviderChecksum.total(of: ["add-two-numbers", "only-1"]) == 2_862_723_821)
        #expect(ProviderChecksum.total(of: ["flip"]) == 3_145_837)
        #expect(ProviderChecksum.total(of: [String]()) == 0)
        #expect(ProviderChecksum.total(of: ["add-two-numbers", "reject-me", "never-accepts", "accept-no-answer", "fails", "flip"])
            == 9_602_960_788)
    }

    @Test func envelopeOfADirectMessage() throws {
        let text = #"{"fromServer":"node-2","toServer":"node-3","message":{"topic":6,"names":[],"action":2,"data":"11","correlationId":"c1","name":"x"}}"#
        let envelope = try BusEnvelope(payload: Array(text.utf8))
        #expect(envelope.fromServer == "node-2")
        #expect(envelope.toServer == "node-3")
        #expect(envelope.topic == 6)
        #expect(envelope.action == 2)
        #expect(envelope.string("data") == "11")
    }

    @Test(arguments: [
        ("not json", "not JSON"),
        ("[1]", "not an object"),
        (#"{"message":{"topic":9,"action":2}}"#, "no fromServer"),
        (#"{"fromServer":"a"}"#, "no message object"),
        (#"{"fromServer":"a","message":{"topic":"9","action":2}}"#, "numeric topic"),
        (#"{"fromServer":"a","toServer":3,"message":{"topic":9,"action":2}}"#, "toServer"),
    ])
    func badPayloadsAreRefused(payload: String, reason: String) {
        #expect {
            try BusEnvelope(payload: Array(payload.utf8))
        } throws: { error in
            String(describing: error).contains(reason)
        }
    }

    @Test func endpointURLs() throws {
        #expect(try RedisEndpoint(url: "redis://127.0.0.1:16379") == RedisEndpoint(host: "127.0.0.1", port: 16379))
        #expect(try RedisEndpoint(url: "redis://:s%40cret@h") == RedisEndpoint(host: "h", port: 6379, password: "s@cret"))
        #expect(try RedisEndpoint(url: "redis://u:p@h:1/0") == RedisEndpoint(host: "h", port: 1, username: "u", password: "p"))
        #expect(try RedisEndpoint(url: "redis://[::1]:7000") == RedisEndpoint(host: "::1", port: 7000))
        #expect(try RedisEndpoint(url: "localhost:7000") == RedisEndpoint(host: "localhost", port: 7000))
        #expect(throws: RedisEndpoint.ParseError.self) { try RedisEndpoint(url: "rediss://h:1") }
        #expect(throws: RedisEndpoint.ParseError.self) { try RedisEndpoint(url: "redis://h:99999") }
        #expect(throws: RedisEndpoint.ParseError.self) { try RedisEndpoint(url: "redis://h/3") }
        #expect(throws: RedisEndpoint.ParseError.self) { try RedisEndpoint(url: "redis://:pw@") }
        #expect(try RedisEndpoint(url: "redis://:pw@h:1").description == "h:1")
    }
}
