import DeepstreamBroker
import DeepstreamProtocol
import Testing

/// The runtime encodes frames itself (header and payload into one buffer per connection) and writes
/// each connection once per read batch (issue 15); these check what a client sees of that over real
/// sockets, on both endpoints.
@Suite("Broker write path: batched frames over real sockets")
struct BrokerWritePathTests {
    static func json(ofSize size: Int) -> String { "\"" + String(repeating: "y", count: size - 2) + "\"" }

    @Test("Frames of every WebSocket length class (7-, 16- and 64-bit) arrive intact", arguments: ["/deepstream", "/deepstream-json"])
    func lengthClasses(path: String) async throws {
        try await withBroker { _, port in
            let provider = try await loggedInClient(port: port, path: path)
            try await provider.provide(["big"])
            let requestor = try await loggedInClient(port: port, path: path)
            let large = Self.json(ofSize: 70_000)
            try await requestor.request("big", correlationId: "c1", data: large)
            let request = try await provider.nextRPC()
            #expect(request == RPCMessage(action: .request, data: large, correlationId: "c1", name: "big"))
            let medium = Self.json(ofSize: 300)
            try await provider.reply(.accept, to: request)
            try await provider.reply(.response, to: request, data: medium)
            #expect(try await requestor.nextRPC() == RPCMessage(action: .accept, correlationId: "c1", name: "big"))
            #expect(try await requestor.nextRPC() == RPCMessage(
                action: .response, data: medium, correlationId: "c1", name: "big"))
        }
    }

    @Test("A burst of calls comes back complete and in order, with nothing pending after")
    func burst() async throws {
        try await withBroker { broker, port in
            let provider = try await loggedInClient(port: port)
            try await provider.provide(["echo"])
            let requestor = try await loggedInClient(port: port)
            let count = 200
            for index in 0..<count { try await requestor.request("echo", correlationId: "b\(index)", data: "\(index)") }
            var requests: [RPCMessage] = []
            for _ in 0..<count { requests.append(try await provider.nextRPC()) }
            #expect(requests.map(\.correlationId) == (0..<count).map { "b\($0)" })
            for request in requests {
                try await provider.reply(.accept, to: request)
                try await provider.reply(.response, to: request, data: request.data)
            }
            for index in 0..<count {
                #expect(try await requestor.nextRPC() == RPCMessage(action: .accept, correlationId: "b\(index)", name: "echo"))
                #expect(try await requestor.nextRPC() == RPCMessage(
                    action: .response, data: "\(index)", correlationId: "b\(index)", name: "echo"))
            }
            #expect(broker.pendingCallCount == 0)
        }
    }
}
