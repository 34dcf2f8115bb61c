import DeepstreamBroker
import DeepstreamProtocol
import Testing

@Suite("Broker connection lifecycle over real sockets")
struct BrokerConnectionTests {
    @Test("CHALLENGE → ACCEPT, AUTH → AUTH_SUCCESSFUL without data (open auth), PING → PONG")
    func handshake() async throws {
        try await withBroker { _, port in
            let client = try await TestWebSocketClient.connect(port: port)
            try await client.send(.ping)  // ignored before the challenge
            let reply = try await client.login(#"{"username":"alice"}"#)
            #expect(reply == .auth(AuthMessage(action: .authSuccessful)))
            try await client.send(.ping)
            #expect(try await client.nextMessage() == .pong)
        }
    }

    @Test("Wire bytes of the handshake match the reference server's")
    func handshakeBytes() async throws {
        try await withBroker { _, port in
            let client = try await TestWebSocketClient.connect(port: port)
            try await client.send(binary: Hex.bytes(
                "3f 10 02 1a 3b 08 05 2a 1e 77 73 3a 2f 2f 6c 6f 63 61 6c 68 6f 73 74 3a 36 30 32 30 2f 64 65 65 70 73 74 72 65 61 6d 32 04 30 2e 31 61 3a 05 37 2e 31 2e 30 42 0a 6a 61 76 61 73 63 72 69 70 74"))
            #expect(try await client.next() == .binary(Hex.bytes("06 10 02 1a 02 08 04")))
            try await client.send(binary: Hex.bytes("0a 10 03 1a 06 08 02 12 02 7b 7d"))
            #expect(try await client.next() == .binary(Hex.bytes("06 10 03 1a 02 08 03")))
            try await client.send(binary: Hex.bytes("06 10 02 1a 02 08 02"))
            #expect(try await client.next() == .binary(Hex.bytes("06 10 02 1a 02 08 03")))
        }
    }

    @Test("Out-of-order messages get the §3.2 replies and the socket stays open")
    func outOfOrder() async throws {
        try await withBroker { _, port in
            let client = try await TestWebSocketClient.connect(port: port)
            try await client.send(.rpc(RPCMessage(action: .provide, correlationId: "0", names: ["x"])))
            #expect(try await client.nextMessage() == .connection(ConnectionMessage(action: .invalidMessage)))
            try await client.challenge()
            try await client.send(.rpc(RPCMessage(action: .provide, correlationId: "0", names: ["x"])))
            #expect(try await client.nextMessage() == .auth(AuthMessage(action: .invalidMessage)))
            try await client.send(.connection(ConnectionMessage(action: .challenge)))
            #expect(try await client.nextMessage() == .auth(AuthMessage(action: .invalidMessage)))
            try await client.send(.ping)
            try await client.send(.auth(AuthMessage(action: .request, data: "{}")))
            #expect(try await client.nextMessage() == .auth(AuthMessage(action: .authSuccessful)))
            for message in [
                Message.auth(AuthMessage(action: .request, data: "{}")),
                .connection(ConnectionMessage(action: .pong)),
                .other(topic: .event, payload: [0x08, 0x02]),
                .other(topic: .record, payload: []),
            ] {
                try await client.send(message)
                #expect(try await client.nextMessage() == .parser(ParserMessage(action: .unknownTopic)))
            }
        }
    }

    @Test("Undecodable frames (garbage, bad varints, text on the binary endpoint) are answered, not fatal")
    func garbage() async throws {
        try await withBroker { _, port in
            let client = try await TestWebSocketClient.connect(port: port)
            let invalidConnection = Message.connection(ConnectionMessage(action: .invalidMessage))
            for junk: [UInt8] in [[0xff, 0xff, 0xff], [0x05, 0x10], [0x02, 0x10, 0x63], []] {
                try await client.send(binary: junk)
                #expect(try await client.nextMessage() == invalidConnection)
            }
            try await client.send(text: "hello")
            #expect(try await client.nextMessage() == invalidConnection)
            try await client.challenge()
            try await client.send(binary: [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])
            #expect(try await client.nextMessage() == .auth(AuthMessage(action: .invalidMessage)))
            try await client.send(.auth(AuthMessage(action: .request, data: "{}")))
            _ = try await client.nextMessage()
            try await client.send(text: #"{"topic":6,"action":2}"#)
            #expect(try await client.nextMessage() == .parser(ParserMessage(action: .unknownTopic)))
            // Two messages batched in one frame: only the first counts, as in the reference parser.
            let ping = BinaryCodec().encode(.ping)
            try await client.send(binary: ping + ping)
            #expect(try await client.nextMessage() == .pong)
            #expect(try await client.staysSilent(for: .milliseconds(100)))
        }
    }

    @Test("A fragmented message is reassembled")
    func fragmented() async throws {
        try await withBroker { _, port in
            let client = try await TestWebSocketClient.connect(port: port)
            let challenge = BinaryCodec().encode(.connection(ConnectionMessage(action: .challenge)))
            try await client.send(frame: .binary, .init(bytes: challenge.prefix(2)), fin: false)
            try await client.send(frame: .continuation, .init(bytes: challenge.dropFirst(2)), fin: true)
            #expect(try await client.nextMessage() == .accept)
        }
    }

    @Test("Invalid JSON in AUTH data gets AUTH/INVALID_MESSAGE_DATA and a close; the broker lives on")
    func invalidAuthJSON() async throws {
        try await withBroker { _, port in
            for data in ["{not json", "", "42", "null", #""text""#] {
                let client = try await TestWebSocketClient.connect(port: port)
                try await client.challenge()
                try await client.send(.auth(AuthMessage(action: .request, data: data)))
                #expect(try await client.nextMessage() == .auth(AuthMessage(action: .invalidMessageData)))
                #expect(try await client.closeCode() == 1000)
            }
            let client = try await TestWebSocketClient.connect(port: port)
            try await client.challenge()
            try await client.send(.auth(AuthMessage(action: .authSuccessful)))
            #expect(try await client.nextMessage() == .auth(AuthMessage(action: .invalidMessageData)))
            #expect(try await client.socketCloses())
            _ = try await loggedInClient(port: port)
        }
    }

    @Test("No login within unauthenticatedClientTimeout: AUTHENTICATION_TIMEOUT, then close")
    func authTimeout() async throws {
        // Long enough that a loaded CI machine still logs `fine` in before its deadline.
        try await withBroker(testConfiguration { $0.unauthenticatedClientTimeout = .milliseconds(1500) }) { _, port in
            let fine = try await loggedInClient(port: port)
            let start = ContinuousClock.now
            let client = try await TestWebSocketClient.connect(port: port)
            try await client.challenge()
            #expect(try await client.nextMessage(timeout: .seconds(5))
                == .connection(ConnectionMessage(action: .authenticationTimeout)))
            #expect(ContinuousClock.now - start >= .milliseconds(1500))
            #expect(try await client.closeCode() == 1000)
            #expect(try await fine.staysSilent(for: .milliseconds(100)))
            try await fine.send(.ping)
            #expect(try await fine.nextMessage() == .pong)
        }
    }

    @Test("A silent client is dropped after 2 × heartbeatInterval; a pinging one stays")
    func heartbeat() async throws {
        try await withBroker(testConfiguration { $0.heartbeatInterval = .milliseconds(500) }) { _, port in
            // Taken before the silent client's last frame, so "elapsed < 350 ms" below implies that
            // less than 2 × interval has passed since that frame.
            let start = ContinuousClock.now
            let silent = try await loggedInClient(port: port)
            let chatty = try await loggedInClient(port: port)
            for round in 0..<20 {
                try await chatty.send(.ping)
                #expect(try await chatty.nextMessage() == .pong)
                try await Task.sleep(for: .milliseconds(60))
                if round == 5, ContinuousClock.now - start < .milliseconds(900) {
                    // Not yet 2 × interval since its last frame: the silent client must still be open.
                    #expect(try await silent.staysSilent(for: .milliseconds(1)))
                }
            }
            #expect(try await silent.closeCode() == 1000)
            try await chatty.send(.ping)
            #expect(try await chatty.nextMessage() == .pong)
        }
    }

    @Test("A frame over maxMessageSize closes the socket with code 1009")
    func oversize() async throws {
        try await withBroker(testConfiguration { $0.maxMessageSize = 1024 }) { _, port in
            let client = try await loggedInClient(port: port)
            try await client.send(binary: Array(repeating: 0x41, count: 1025))
            #expect(try await client.closeCode() == 1009)
            let fragmented = try await loggedInClient(port: port)
            try await fragmented.send(frame: .binary, .init(bytes: Array(repeating: 0x41, count: 600)), fin: false)
            try await fragmented.send(frame: .continuation, .init(bytes: Array(repeating: 0x41, count: 600)), fin: true)
            #expect(try await fragmented.closeCode() == 1009)
            let fine = try await loggedInClient(port: port)
            try await fine.send(binary: Array(repeating: 0x41, count: 1024))
            #expect(try await fine.nextMessage() == .parser(ParserMessage(action: .unknownTopic)))
        }
    }

    @Test("The JSON endpoint speaks the same protocol in text frames")
    func jsonEndpoint() async throws {
        try await withBroker { _, port in
            let provider = try await loggedInClient(port: port, path: "/deepstream-json")
            let requestor = try await loggedInClient(port: port)
            try await provider.send(text: #"{"topic":6,"action":8,"names":["add"],"correlationId":"0","isAck":false}"#)
            #expect(try await provider.next() == .text(#"{"topic":6,"action":8,"correlationId":"0","isAck":true}"#))
            try await requestor.request("add", correlationId: "c1", data: #"{"a":1}"#)
            #expect(try await provider.next()
                == .text(#"{"topic":6,"action":2,"data":"{\"a\":1}","correlationId":"c1","name":"add"}"#))
            try await provider.send(text: #"{"topic":6,"action":5,"parsedData":2,"correlationId":"c1","name":"add"}"#)
            #expect(try await requestor.nextRPC() == RPCMessage(action: .response, data: "2", correlationId: "c1", name: "add"))
        }
    }

    @Test("A flood of connections is served and cleaned up")
    func flood() async throws {
        try await withBroker(testConfiguration { $0.maxConnections = 40 }) { broker, port in
            var clients: [TestWebSocketClient] = []
            for _ in 0..<30 { clients.append(try await TestWebSocketClient.connect(port: port)) }
            for client in clients { await client.close() }
            var rejected = 0
            for _ in 0..<60 {
                do { clients.append(try await TestWebSocketClient.connect(port: port)) } catch { rejected += 1 }
            }
            #expect(rejected >= 20)
            let connections = await broker.connectionCount
            #expect(connections <= 40)
            for client in clients { await client.close() }
            try await Task.sleep(for: .milliseconds(100))
            _ = try await loggedInClient(port: port)
        }
    }
}
