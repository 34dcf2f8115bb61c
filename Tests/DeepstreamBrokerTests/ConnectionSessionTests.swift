import DeepstreamBroker
import DeepstreamProtocol
import Testing

@Suite("ConnectionSession: the §3 login state machine")
struct ConnectionSessionTests {
    let invalidConnection = Message.connection(ConnectionMessage(action: .invalidMessage))
    let invalidAuth = Message.auth(AuthMessage(action: .invalidMessage))
    let challenge = Message.connection(ConnectionMessage(action: .challenge))

    func loggedIn() -> ConnectionSession {
        var session = ConnectionSession()
        _ = session.receive(challenge)
        _ = session.receive(.auth(AuthMessage(action: .request, data: "{}")))
        _ = session.authenticated(.success(user: "u", clientData: nil), maxAuthAttempts: 3)
        return session
    }

    @Test("Before CHALLENGE: PING and other CONNECTION actions ignored, anything else INVALID_MESSAGE")
    func beforeChallenge() {
        var session = ConnectionSession()
        #expect(session.receive(.ping) == .ignore)
        #expect(session.receive(.connection(ConnectionMessage(action: .pong))) == .ignore)
        #expect(session.receive(.auth(AuthMessage(action: .request, data: "{}"))) == .reply([invalidConnection]))
        #expect(session.receive(nil) == .reply([invalidConnection]))
        #expect(session.receive(challenge) == .reply([.accept]))
        #expect(session.phase == .awaitingAuthentication)
    }

    @Test("After ACCEPT: PING ignored, non-AUTH (and a second CHALLENGE) AUTH/INVALID_MESSAGE")
    func awaitingAuth() {
        var session = ConnectionSession()
        _ = session.receive(challenge)
        #expect(session.receive(.ping) == .ignore)
        #expect(session.receive(challenge) == .reply([invalidAuth]))
        #expect(session.receive(.rpc(RPCMessage(action: .request))) == .reply([invalidAuth]))
        #expect(session.receive(nil) == .reply([invalidAuth]))
        #expect(session.receive(.auth(AuthMessage(action: .request, data: #"{"a":1}"#))) == .authenticate(["a": 1]))
        #expect(session.receive(.auth(AuthMessage(action: .request, data: "{}"))) == .reply([invalidAuth]))
    }

    @Test("AUTH data must be a JSON object or array; otherwise INVALID_MESSAGE_DATA and close",
          arguments: [nil, "", "{", "null", "1", "\"s\"", "true"] as [String?])
    func invalidAuthData(data: String?) {
        var session = ConnectionSession()
        _ = session.receive(challenge)
        #expect(session.receive(.auth(AuthMessage(action: .request, data: data)))
            == .replyAndClose([.auth(AuthMessage(action: .invalidMessageData))], .invalidAuthData))
        #expect(session.receive(.ping) == .ignore)
    }

    @Test("An array is accepted as auth data, as in the reference server")
    func arrayAuthData() {
        var session = ConnectionSession()
        _ = session.receive(challenge)
        #expect(session.receive(.auth(AuthMessage(action: .request, data: "[]"))) == .authenticate([]))
    }

    @Test("AUTH with another action before login: INVALID_MESSAGE_DATA and close")
    func wrongAuthAction() {
        var session = ConnectionSession()
        _ = session.receive(challenge)
        #expect(session.receive(.auth(AuthMessage(action: .authSuccessful)))
            == .replyAndClose([.auth(AuthMessage(action: .invalidMessageData))], .invalidAuthData))
    }

    @Test("Failures count up to maxAuthAttempts, then TOO_MANY_AUTH_ATTEMPTS and close")
    func attempts() {
        var session = ConnectionSession()
        _ = session.receive(challenge)
        for attempt in 1...3 {
            #expect(session.receive(.auth(AuthMessage(action: .request, data: "{}"))) == .authenticate([:]))
            let decision = session.authenticated(.failure(user: "u", clientData: ["error": "x"]), maxAuthAttempts: 3)
            let refusal = Message.auth(AuthMessage(action: .authUnsuccessful, data: #"{"error":"x"}"#))
            if attempt < 3 {
                #expect(decision == .reply([refusal]))
            } else {
                #expect(decision == .replyAndClose(
                    [refusal, .auth(AuthMessage(action: .tooManyAuthAttempts))], .tooManyAuthAttempts))
            }
        }
        #expect(session.failedAuthAttempts == 3)
    }

    @Test("Success carries clientData JSON, or no data field when there is none")
    func success() {
        var session = ConnectionSession()
        _ = session.receive(challenge)
        _ = session.receive(.auth(AuthMessage(action: .request, data: "{}")))
        #expect(session.authenticated(.success(user: "u", clientData: ["k": "v"]), maxAuthAttempts: 3)
            == .reply([.auth(AuthMessage(action: .authSuccessful, data: #"{"k":"v"}"#))]))
        #expect(session.routesRPCs)
        #expect(session.user == "u")
        #expect(session.authenticated(.success(user: "u", clientData: nil), maxAuthAttempts: 3) == .ignore)
    }

    @Test("Logged in: PING → PONG, RPC routed, everything else PARSER/UNKNOWN_TOPIC")
    func open() {
        var session = loggedIn()
        let unknownTopic = Message.parser(ParserMessage(action: .unknownTopic))
        #expect(session.receive(.ping) == .reply([.pong]))
        let rpc = RPCMessage(action: .request, correlationId: "1", name: "x")
        #expect(session.receive(.rpc(rpc)) == .route(rpc))
        for message in [
            challenge, .auth(AuthMessage(action: .request, data: "{}")), .connection(ConnectionMessage(action: .pong)),
            .parser(ParserMessage(action: .error)), .other(topic: .event, payload: []), .other(topic: .presence, payload: [1]),
        ] as [Message] {
            #expect(session.receive(message) == .reply([unknownTopic]))
        }
        #expect(session.receive(nil) == .reply([unknownTopic]))
    }

    @Test("Authentication timeout closes unauthenticated sessions only")
    func timeout() {
        var fresh = ConnectionSession()
        #expect(fresh.authenticationTimedOut()
            == .replyAndClose([.connection(ConnectionMessage(action: .authenticationTimeout))], .authenticationTimeout))
        #expect(fresh.receive(challenge) == .ignore)
        var open = loggedIn()
        #expect(open.authenticationTimedOut() == .ignore)
        #expect(open.close(.heartbeatMissing) == .replyAndClose([], .heartbeatMissing))
        #expect(open.close(.shutdown) == .ignore)
    }
}
