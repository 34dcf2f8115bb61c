import DeepstreamBroker
import DeepstreamProtocol
import Testing

/// Always picks the last candidate, so the broker's "random" provider choice is the one the reference
/// server happened to make in the captures (the provider that registered last).
struct LastChoiceGenerator: RandomNumberGenerator, Sendable {
    mutating func next() -> UInt64 { .max }
}

/// Conformance: the JS client's side of each real capture is replayed byte for byte against our broker,
/// and every frame the real deepstream 10.1.4 server sent must come back from our broker to the same
/// client with the same bytes — except where docs/broker.md lists a deliberate fix.
@Suite("Replay of real deepstream traffic against the broker", .serialized)
struct CaptureReplayTests {
    /// Users of the file-auth captures: passwords and clientData as the captures show them.
    static func captureUsers() throws -> UsersFile {
        func user(_ password: String, _ clientData: JSONValue) throws -> UsersFile.User {
            UsersFile.User(password: try PasswordHash(hashing: password, iterations: 1000), clientData: clientData)
        }
        return UsersFile(users: [
            "userA": try user("password", ["favouriteColor": "red"]),
            "userB": try user("secretB", ["favouriteColor": "blue", "team": "b"]),
            "userC": try user("secretC", ["favouriteColor": "green"]),
        ])
    }

    static let scenarios: [(name: String, requestorDetails: Bool, users: Bool)] = [
        ("rpc-binary-open", false, false),
        ("rpc-binary-open-node22", false, false),
        ("rpc-binary-requestor-open", true, false),
        ("rpc-binary-users-requestor", true, true),
        ("auth-users-binary", false, true),
        ("heartbeat-binary", false, false),
    ]

    @Test(arguments: 0..<scenarios.count)
    func serverFramesMatchTheReferenceServer(index: Int) async throws {
        let scenario = Self.scenarios[index]
        let script = try #require(replayScripts[scenario.name])
        let users = scenario.users ? try Self.captureUsers() : nil
        let configuration = testConfiguration {
            // Same outcomes as the capture's 1 s / 3 s, sooner.
            $0.rpc.ackTimeout = .milliseconds(300)
            $0.rpc.responseTimeout = .milliseconds(600)
            $0.rpc.provideRequestorName = scenario.requestorDetails
            $0.rpc.provideRequestorData = scenario.requestorDetails
            if let users { $0.authentication = .users(users) }
        }
        let broker = Broker(configuration: configuration, random: LastChoiceGenerator())
        let port = try await broker.start().port ?? 0
        var clients: [String: TestWebSocketClient] = [:]
        var identical = 0
        var deviations: [Int] = []
        do {
            for frame in script {
                let bytes = Hex.bytes(frame.payloadHex)
                if frame.fromClient {
                    if clients[frame.client] == nil { clients[frame.client] = try await TestWebSocketClient.connect(port: port) }
                    try await clients[frame.client]!.send(binary: bytes)
                    continue
                }
                let client = try #require(clients[frame.client], "frame #\(frame.number) for an unknown client")
                let received = try await client.next(timeout: .seconds(3))
                guard case .binary(let got)? = received else {
                    Issue.record("#\(frame.number) to \(frame.client): expected a binary frame, got \(String(describing: received))")
                    break
                }
                if got == bytes {
                    identical += 1
                } else if Self.isDocumentedFix(expected: bytes, got: got) {
                    deviations.append(frame.number)
                } else {
                    let expected = (try? BinaryCodec().decode(bytes)).map { "\($0)" } ?? frame.payloadHex
                    let actual = (try? BinaryCodec().decode(got)).map { "\($0)" } ?? "undecodable"
                    Issue.record("#\(frame.number) to \(frame.client): expected \(expected), got \(actual)")
                    break
                }
            }
        } catch {
            Issue.record("replay stopped: \(error)")
        }
        for client in clients.values { await client.close() }
        await broker.shutdown(gracePeriod: .milliseconds(50))
        let expectedServerFrames = script.filter { !$0.fromClient }.count
        #expect(identical + deviations.count == expectedServerFrames)
        // Only the rerouted REQUEST of the file-auth scenario carries the reference's double-encoded
        // requestorData (deviation 1 in docs/broker.md); everything else is byte-identical.
        #expect(deviations.count == (scenario.name == "rpc-binary-users-requestor" ? 1 : 0), "deviations at \(deviations)")
    }

    /// The reference re-sends a rerouted REQUEST with requestorData encoded twice (JSON text of a JSON
    /// string); we send it once. Equal otherwise.
    static func isDocumentedFix(expected: [UInt8], got: [UInt8]) -> Bool {
        guard case .rpc(var reference)? = try? BinaryCodec().decode(expected),
            case .rpc(let ours)? = try? BinaryCodec().decode(got),
            let doubled = reference.requestorData,
            case .string(let once)? = try? JSONValue(parsing: doubled)
        else { return false }
        reference.requestorData = once
        return reference == ours
    }
}
