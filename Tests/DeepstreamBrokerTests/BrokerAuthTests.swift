import DeepstreamBroker
import DeepstreamProtocol
import Testing

@Suite("Broker authentication with a users file, over real sockets")
struct BrokerAuthTests {
    static func users() throws -> UsersFile {
        try UsersFile.parse([
            "userB": [
                "password": .string(try PasswordHash(hashing: "secretB", salt: [9, 9, 9], iterations: 50).description),
                "clientData": ["favouriteColor": "blue", "team": "b"],
            ],
            "plain": ["password": .string(try PasswordHash(hashing: "pw", salt: [1], iterations: 50).description)],
        ])
    }

    @Test("Wrong password: AUTH_UNSUCCESSFUL; right one: AUTH_SUCCESSFUL with clientData (or null)")
    func loginWithUsersFile() async throws {
        let configuration = testConfiguration { $0.authentication = .users(try! Self.users()) }
        try await withBroker(configuration) { _, port in
            let client = try await TestWebSocketClient.connect(port: port)
            let refused = try await client.login(#"{"username":"userB","password":"wrong"}"#)
            #expect(refused == .auth(AuthMessage(action: .authUnsuccessful)))
            try await client.send(.auth(AuthMessage(action: .request, data: #"{"username":"nobody","password":"x"}"#)))
            #expect(try await client.nextMessage() == .auth(AuthMessage(action: .authUnsuccessful)))
            try await client.send(.auth(AuthMessage(action: .request, data: #"{"username":"userB","password":"secretB"}"#)))
            #expect(try await client.nextMessage()
                == .auth(AuthMessage(action: .authSuccessful, data: #"{"favouriteColor":"blue","team":"b"}"#)))
            let other = try await TestWebSocketClient.connect(port: port)
            #expect(try await other.login(#"{"username":"plain","password":"pw"}"#)
                == .auth(AuthMessage(action: .authSuccessful, data: "null")))
            let missing = try await TestWebSocketClient.connect(port: port)
            #expect(try await missing.login(#"{"password":"pw"}"#)
                == .auth(AuthMessage(
                    action: .authUnsuccessful, data: #"{"error":"missing authentication parameter: username"}"#)))
        }
    }

    @Test("maxAuthAttempts failures: TOO_MANY_AUTH_ATTEMPTS, then close")
    func tooManyAttempts() async throws {
        let configuration = testConfiguration {
            $0.authentication = .users(try! Self.users())
            $0.maxAuthAttempts = 2
        }
        try await withBroker(configuration) { _, port in
            let client = try await TestWebSocketClient.connect(port: port)
            #expect(try await client.login(#"{"username":"userB","password":"a"}"#).actionNumber == AuthAction.authUnsuccessful.rawValue)
            try await client.send(.auth(AuthMessage(action: .request, data: #"{"username":"userB","password":"b"}"#)))
            #expect(try await client.nextMessage() == .auth(AuthMessage(action: .authUnsuccessful)))
            #expect(try await client.nextMessage() == .auth(AuthMessage(action: .tooManyAuthAttempts)))
            #expect(try await client.closeCode() == 1000)
        }
    }

    @Test("Messages sent while a login is being checked get AUTH/INVALID_MESSAGE")
    func whileAuthenticating() async throws {
        // Slow hash on purpose so that the PROVIDE surely arrives while the login is checked.
        let slow = try UsersFile.parse([
            "userB": ["password": .string(try PasswordHash(hashing: "secretB", salt: [9], iterations: 400_000).description)],
        ])
        let configuration = testConfiguration { $0.authentication = .users(slow) }
        try await withBroker(configuration) { _, port in
            let client = try await TestWebSocketClient.connect(port: port)
            try await client.challenge()
            try await client.send(.auth(AuthMessage(action: .request, data: #"{"username":"userB","password":"secretB"}"#)))
            try await client.send(.rpc(RPCMessage(action: .provide, correlationId: "0", names: ["x"])))
            var replies: [Message] = [try await client.nextMessage(), try await client.nextMessage()]
            replies.sort { ($0.actionNumber ?? 0) < ($1.actionNumber ?? 0) }
            #expect(replies.map(\.actionNumber) == [AuthAction.authSuccessful.rawValue, AuthAction.invalidMessage.rawValue])
        }
    }
}
