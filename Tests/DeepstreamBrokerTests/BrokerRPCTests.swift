import DeepstreamBroker
import DeepstreamProtocol
import Testing

/// Polls `clients` until one receives an RPC message; returns its index and the message.
func firstRPC(among clients: [TestWebSocketClient], timeout: Duration = .seconds(3)) async throws -> (Int, RPCMessage) {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        for (index, client) in clients.enumerated() {
            do {
                return (index, try await client.nextRPC(timeout: .milliseconds(10)))
            } catch TestClientError.timeout {}
        }
    }
    throw TestClientError.timeout("an RPC message on any client")
}

@Suite("Broker RPC routing over real sockets")
struct BrokerRPCTests {
    @Test("PROVIDE ack, REQUEST / ACCEPT / RESPONSE forwarded byte for byte (spec §8 frames)")
    func happyPathBytes() async throws {
        try await withBroker { _, port in
            let provider = try await loggedInClient(port: port)
            let requestor = try await loggedInClient(port: port)
            try await provider.send(binary: Hex.bytes("11 10 06 1a 0d 08 08 1a 01 30 32 06 61 64 64 54 77 6f"))
            #expect(try await provider.next() == .binary(Hex.bytes("0b 10 06 1a 07 08 08 1a 01 30 28 01")))
            let request = Hex.bytes(
                "27 10 06 1a 23 08 02 12 13 7b 22 6e 75 6d 41 22 3a 31 2c 22 6e 75 6d 42 22 3a 32 7d 1a 02 63 31 3a 06 61 64 64 54 77 6f")
            try await requestor.send(binary: request)
            #expect(try await provider.next() == .binary(request))
            let accept = Hex.bytes("12 10 06 1a 0e 08 04 1a 02 63 31 3a 06 61 64 64 54 77 6f")
            try await provider.send(binary: accept)
            #expect(try await requestor.next() == .binary(accept))
            let response = Hex.bytes("15 10 06 1a 11 08 05 12 01 33 1a 02 63 31 3a 06 61 64 64 54 77 6f")
            try await provider.send(binary: response)
            #expect(try await requestor.next() == .binary(response))
            try await requestor.request("nobody", correlationId: "c2")
            #expect(try await requestor.nextRPC() == RPCMessage(action: .noRPCProvider, correlationId: "c2", name: "nobody"))
        }
    }

    @Test("REJECT reroutes to the untried provider; the old provider's late reply is refused")
    func reroute() async throws {
        try await withBroker { broker, port in
            let providers = [try await loggedInClient(port: port), try await loggedInClient(port: port)]
            for provider in providers { try await provider.provide(["job"]) }
            let requestor = try await loggedInClient(port: port)
            try await requestor.request("job", correlationId: "r1", data: "1")
            let (first, firstRequest) = try await firstRPC(among: providers)
            #expect(firstRequest.action == .request)
            try await providers[first].reply(.accept, to: firstRequest)
            #expect(try await requestor.nextRPC().action == .accept)
            try await providers[first].reply(.reject, to: firstRequest)
            let second = 1 - first
            let secondRequest = try await providers[second].nextRPC()
            #expect(secondRequest == RPCMessage(action: .request, data: "1", correlationId: "r1", name: "job"))
            // Accept state was reset: the new provider's ACCEPT is forwarded, not MULTIPLE_ACCEPT.
            try await providers[second].reply(.accept, to: secondRequest)
            #expect(try await requestor.nextRPC().action == .accept)
            try await providers[first].reply(.response, to: firstRequest, data: #""stale""#)
            #expect(try await providers[first].nextRPC() == RPCMessage(
                action: .invalidRPCCorrelationID, correlationId: "r1", isError: true, name: "job",
                originalAction: .response))
            try await providers[second].reply(.response, to: secondRequest, data: #""fresh""#)
            #expect(try await requestor.nextRPC() == RPCMessage(
                action: .response, data: #""fresh""#, correlationId: "r1", name: "job"))
            #expect(await broker.pendingCallCount == 0)
        }
    }

    @Test("Every provider rejects: NO_RPC_PROVIDER")
    func allReject() async throws {
        try await withBroker { _, port in
            let providers = [try await loggedInClient(port: port), try await loggedInClient(port: port)]
            for provider in providers { try await provider.provide(["job"]) }
            let requestor = try await loggedInClient(port: port)
            try await requestor.request("job", correlationId: "r1")
            for _ in 0..<2 {
                let (index, request) = try await firstRPC(among: providers)
                try await providers[index].reply(.reject, to: request)
            }
            #expect(try await requestor.nextRPC() == RPCMessage(action: .noRPCProvider, correlationId: "r1", name: "job"))
            for provider in providers { #expect(try await provider.staysSilent(for: .milliseconds(50))) }
        }
    }

    @Test("A provider that never accepts: ACCEPT_TIMEOUT after rpc.ackTimeout")
    func neverAccepts() async throws {
        try await withBroker(testConfiguration { $0.rpc.ackTimeout = .milliseconds(80) }) { _, port in
            let provider = try await loggedInClient(port: port)
            try await provider.provide(["slow"])
            let requestor = try await loggedInClient(port: port)
            let start = ContinuousClock.now
            try await requestor.request("slow", correlationId: "r1")
            _ = try await provider.nextRPC()
            #expect(try await requestor.nextRPC() == RPCMessage(action: .acceptTimeout, correlationId: "r1", name: "slow"))
            #expect(ContinuousClock.now - start >= .milliseconds(80))
        }
    }

    @Test("A provider that accepts but never answers: RESPONSE_TIMEOUT; its late answer is refused")
    func neverResponds() async throws {
        try await withBroker(testConfiguration { $0.rpc.responseTimeout = .milliseconds(500) }) { _, port in
            let provider = try await loggedInClient(port: port)
            try await provider.provide(["slow"])
            let requestor = try await loggedInClient(port: port)
            let start = ContinuousClock.now
            try await requestor.request("slow", correlationId: "r1")
            let request = try await provider.nextRPC()
            try await provider.reply(.accept, to: request)
            #expect(try await requestor.nextRPC().action == .accept)
            #expect(try await requestor.nextRPC() == RPCMessage(action: .responseTimeout, correlationId: "r1", name: "slow"))
            #expect(ContinuousClock.now - start >= .milliseconds(500))
            try await provider.reply(.response, to: request, data: "1")
            #expect(try await provider.nextRPC() == RPCMessage(
                action: .invalidRPCCorrelationID, correlationId: "r1", isError: true, name: "slow",
                originalAction: .response))
            #expect(try await requestor.staysSilent(for: .milliseconds(50)))
        }
    }

    @Test("Second ACCEPT: MULTIPLE_ACCEPT to the provider, not forwarded")
    func multipleAccept() async throws {
        try await withBroker { _, port in
            let provider = try await loggedInClient(port: port)
            try await provider.provide(["job"])
            let requestor = try await loggedInClient(port: port)
            try await requestor.request("job", correlationId: "r1")
            let request = try await provider.nextRPC()
            try await provider.reply(.accept, to: request)
            try await provider.reply(.accept, to: request)
            #expect(try await provider.nextRPC() == RPCMessage(action: .multipleAccept, correlationId: "r1", name: "job"))
            #expect(try await requestor.nextRPC().action == .accept)
            #expect(try await requestor.staysSilent(for: .milliseconds(50)))
        }
    }

    @Test("UNPROVIDE is acked and removes the provider; unknown names are ignored")
    func unprovide() async throws {
        try await withBroker { _, port in
            let provider = try await loggedInClient(port: port)
            try await provider.provide(["a", "b"])
            try await provider.send(.rpc(RPCMessage(action: .unprovide, correlationId: "1", names: ["a", "zzz"])))
            #expect(try await provider.nextRPC() == RPCMessage(action: .unprovide, correlationId: "1", isAck: true))
            let requestor = try await loggedInClient(port: port)
            try await requestor.request("a", correlationId: "r1")
            #expect(try await requestor.nextRPC().action == .noRPCProvider)
            try await requestor.request("b", correlationId: "r2")
            #expect(try await provider.nextRPC().name == "b")
        }
    }

    @Test("Duplicate PROVIDE: MULTIPLE_PROVIDERS for the name, the batch is still acked")
    func duplicateProvide() async throws {
        try await withBroker { _, port in
            let provider = try await loggedInClient(port: port)
            try await provider.provide(["a"])
            try await provider.send(.rpc(RPCMessage(action: .provide, correlationId: "1", names: ["a", "b"])))
            #expect(try await provider.nextRPC() == RPCMessage(
                action: .multipleProviders, correlationId: "1", isError: true, name: "a", originalAction: .provide))
            #expect(try await provider.nextRPC() == RPCMessage(action: .provide, correlationId: "1", isAck: true))
        }
    }

    @Test("A provider disconnecting mid-call: rerouted at once, or NO_RPC_PROVIDER at once")
    func providerDisconnect() async throws {
        try await withBroker(testConfiguration { $0.rpc.ackTimeout = .seconds(5); $0.rpc.responseTimeout = .seconds(5) }) { _, port in
            let providers = [try await loggedInClient(port: port), try await loggedInClient(port: port)]
            for provider in providers { try await provider.provide(["job"]) }
            let requestor = try await loggedInClient(port: port)
            let start = ContinuousClock.now
            try await requestor.request("job", correlationId: "r1")
            let (first, request) = try await firstRPC(among: providers)
            try await providers[first].reply(.accept, to: request)
            #expect(try await requestor.nextRPC().action == .accept)
            await providers[first].close()
            let rerouted = try await providers[1 - first].nextRPC()
            #expect(rerouted.correlationId == "r1")
            await providers[1 - first].close()
            #expect(try await requestor.nextRPC() == RPCMessage(action: .noRPCProvider, correlationId: "r1", name: "job"))
            #expect(ContinuousClock.now - start < .seconds(2))
        }
    }

    @Test("Two requestors using the same correlation id do not clobber each other")
    func sameCorrelationId() async throws {
        try await withBroker { _, port in
            let provider = try await loggedInClient(port: port)
            try await provider.provide(["echo"])
            let alice = try await loggedInClient(port: port)
            let bob = try await loggedInClient(port: port)
            try await alice.request("echo", correlationId: "1", data: #""alice""#)
            let first = try await provider.nextRPC()
            try await bob.request("echo", correlationId: "1", data: #""bob""#)
            let second = try await provider.nextRPC()
            #expect(first.correlationId == "1")
            #expect(second.correlationId != "1")
            // Answer in reverse order; each requestor gets its own answer under its own id.
            try await provider.reply(.response, to: second, data: second.data)
            try await provider.reply(.response, to: first, data: first.data)
            #expect(try await bob.nextRPC() == RPCMessage(action: .response, data: #""bob""#, correlationId: "1", name: "echo"))
            #expect(try await alice.nextRPC() == RPCMessage(action: .response, data: #""alice""#, correlationId: "1", name: "echo"))
            // The same requestor reusing an in-flight id is refused; the first call keeps running.
            try await alice.request("echo", correlationId: "2")
            let running = try await provider.nextRPC()
            try await alice.request("echo", correlationId: "2")
            #expect(try await alice.nextRPC() == RPCMessage(
                action: .invalidRPCCorrelationID, correlationId: "2", isError: true, name: "echo", originalAction: .request))
            try await provider.reply(.requestError, to: running, data: #""boom""#)
            #expect(try await alice.nextRPC() == RPCMessage(action: .requestError, data: #""boom""#, correlationId: "2", name: "echo"))
        }
    }

    @Test("Invalid JSON in RPC data is refused with INVALID_MESSAGE_DATA, never forwarded")
    func invalidRPCData() async throws {
        try await withBroker { _, port in
            let provider = try await loggedInClient(port: port)
            try await provider.provide(["job"])
            let requestor = try await loggedInClient(port: port)
            try await requestor.request("job", correlationId: "r1", data: "{oops")
            #expect(try await requestor.nextRPC() == RPCMessage(
                action: .invalidMessageData, correlationId: "r1", isError: true, name: "job", originalAction: .request))
            try await requestor.send(.rpc(RPCMessage(action: .request, correlationId: "r2")))
            #expect(try await requestor.nextRPC().action == .invalidMessageData)
            #expect(try await provider.staysSilent(for: .milliseconds(50)))
            try await requestor.request("job", correlationId: "r3", data: "1")
            let request = try await provider.nextRPC()
            try await provider.reply(.response, to: request, data: "")
            #expect(try await provider.nextRPC().action == .invalidMessageData)
            try await provider.reply(.response, to: request, data: "2")
            #expect(try await requestor.nextRPC() == RPCMessage(action: .response, data: "2", correlationId: "r3", name: "job"))
        }
    }

    @Test("requestorName/Data: forwarded when enabled (also after a reroute, not double-encoded)")
    func requestorFieldsEnabled() async throws {
        let users = try UsersFile.parse([
            "userB": ["password": .string(try PasswordHash(hashing: "secretB", salt: [1, 2, 3, 4], iterations: 10).description),
                      "clientData": ["favorite color": "orange", "id": "userB"]],
            "prov": ["password": .string(try PasswordHash(hashing: "p", salt: [5], iterations: 10).description)],
        ])
        let configuration = testConfiguration {
            $0.rpc.provideRequestorName = true
            $0.rpc.provideRequestorData = true
            $0.authentication = .users(users)
        }
        try await withBroker(configuration) { _, port in
            let providers = [
                try await loggedInClient(port: port, authData: #"{"username":"prov","password":"p"}"#),
                try await loggedInClient(port: port, authData: #"{"username":"prov","password":"p"}"#),
            ]
            for provider in providers { try await provider.provide(["addTwo"]) }
            let requestor = try await loggedInClient(port: port, authData: #"{"username":"userB","password":"secretB"}"#)
            try await requestor.send(binary: Hex.bytes(
                "27 10 06 1a 23 08 02 12 13 7b 22 6e 75 6d 41 22 3a 31 2c 22 6e 75 6d 42 22 3a 32 7d 1a 02 63 31 3a 06 61 64 64 54 77 6f"))
            let expected = Hex.bytes(
                "58 10 06 1a 54 08 02 12 13 7b 22 6e 75 6d 41 22 3a 31 2c 22 6e 75 6d 42 22 3a 32 7d 1a 02 63 31 3a 06 61 64 64 54 77 6f 52 05 75 73 65 72 42 5a 28 7b 22 66 61 76 6f 72 69 74 65 20 63 6f 6c 6f 72 22 3a 22 6f 72 61 6e 67 65 22 2c 22 69 64 22 3a 22 75 73 65 72 42 22 7d")
            let (first, request) = try await firstRPC(among: providers)
            #expect(BinaryCodec().encode(.rpc(request)) == expected)
            try await providers[first].reply(.reject, to: request)
            #expect(try await providers[1 - first].next() == .binary(expected))
        }
    }

    @Test("requestorName/Data: off by default, and client-supplied fields 10/11 are stripped")
    func requestorFieldsStripped() async throws {
        try await withBroker { _, port in
            let provider = try await loggedInClient(port: port)
            try await provider.provide(["job"])
            let requestor = try await loggedInClient(port: port)
            try await requestor.send(.rpc(RPCMessage(
                action: .request, correlationId: "r1", name: "job", requestorName: "admin", requestorData: #"{"root":true}"#)))
            #expect(try await provider.nextRPC() == RPCMessage(action: .request, correlationId: "r1", name: "job"))
        }
    }
}
