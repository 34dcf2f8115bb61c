import DeepstreamBroker
import DeepstreamProtocol
import Foundation
import Testing

@Suite("Configuration, users file and password hashes")
struct ConfigurationTests {
    @Test("Every documented key is read")
    func fullConfiguration() throws {
        let json = try JSONValue(parsing: """
            {"host": "0.0.0.0", "port": 7000, "maxMessageSize": 2048, "heartbeatInterval": 5000,
             "unauthenticatedClientTimeout": null, "maxAuthAttempts": 5, "maxConnections": 10,
             "maxOutboundBufferSize": 65536, "shutdownGracePeriod": 100,
             "rpc": {"ackTimeout": 50, "responseTimeout": 70, "provideRequestorName": true, "provideRequestorData": true},
             "auth": {"type": "none"}}
            """)
        let c = try BrokerConfiguration.parse(json)
        #expect(c.host == "0.0.0.0" && c.port == 7000 && c.maxMessageSize == 2048)
        #expect(c.heartbeatInterval == .seconds(5) && c.unauthenticatedClientTimeout == nil)
        #expect(c.maxAuthAttempts == 5 && c.maxConnections == 10 && c.maxOutboundBufferSize == 65536)
        #expect(c.rpc.ackTimeout == .milliseconds(50) && c.rpc.responseTimeout == .milliseconds(70))
        #expect(c.rpc.provideRequestorName && c.rpc.provideRequestorData)
        #expect(c.authentication == .open && c.shutdownGracePeriod == .milliseconds(100))
    }

    @Test("Defaults match the reference server except the bind address")
    func defaults() {
        let c = BrokerConfiguration()
        #expect(c.host == "127.0.0.1" && c.port == 6020 && c.maxMessageSize == 1_048_576)
        #expect(c.rpc.ackTimeout == .seconds(1) && c.rpc.responseTimeout == .seconds(10))
        #expect(!c.rpc.provideRequestorName && !c.rpc.provideRequestorData)
        #expect(c.heartbeatInterval == .seconds(30) && c.unauthenticatedClientTimeout == .seconds(180))
        #expect(c.maxAuthAttempts == 3 && c.authentication == .open)
    }

    @Test("Bad configurations give one-line errors", arguments: [
        (#"{"prot": 1}"#, #"configuration: unknown setting "prot""#),
        (#"{"port": 70000}"#, #"configuration: "port" must be an integer from 0 to 65535"#),
        (#"{"rpc": {"ackTimeout": "fast"}}"#, #"configuration: "rpc.ackTimeout" must be milliseconds from 1 to 86400000"#),
        (#"{"rpc": {"x": 1}}"#, #"configuration: unknown setting "rpc.x""#),
        (#"{"auth": {"type": "ldap"}}"#, #"configuration: "auth.type" must be "none" or "file""#),
        (#"{"auth": {"type": "file"}}"#, #"configuration: "auth.users" must be the path of a users file"#),
        (#"[1]"#, #"configuration: "(top level)" must be a JSON object"#),
    ])
    func badConfiguration(text: String, message: String) throws {
        do throws(BrokerConfigurationError) {
            _ = try BrokerConfiguration.parse(try! JSONValue(parsing: text))
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test("Files: unreadable, invalid JSON, users file relative to the config, plaintext refused")
    func files() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("broker-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let hash = try PasswordHash(hashing: "pw", salt: [1, 2], iterations: 10)
        try #"{"alice": {"password": "\#(hash)", "clientData": {"x": 1}}}"#.write(
            to: dir.appendingPathComponent("users.json"), atomically: true, encoding: .utf8)
        try #"{"auth": {"type": "file", "users": "users.json"}}"#.write(
            to: dir.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        let config = try BrokerConfiguration.load(fromFile: dir.appendingPathComponent("config.json").path)
        guard case .users(let users) = config.authentication else {
            Issue.record("users file not loaded")
            return
        }
        #expect(users.users["alice"]?.clientData == ["x": 1])
        #expect(Authentication.users(users).authenticate(["username": "alice", "password": "pw"])
            == .success(user: "alice", clientData: ["x": 1]))
        #expect(Authentication.users(users).authenticate(["username": "alice", "password": "nope"])
            == .failure(user: "alice", clientData: nil))

        let missing = dir.appendingPathComponent("missing.json").path
        #expect(throws: BrokerConfigurationError.self) { try BrokerConfiguration.load(fromFile: missing) }
        try "{nope".write(to: dir.appendingPathComponent("bad.json"), atomically: true, encoding: .utf8)
        do throws(BrokerConfigurationError) {
            _ = try BrokerConfiguration.load(fromFile: dir.appendingPathComponent("bad.json").path)
        } catch {
            #expect(error.description.contains("bad.json is not valid JSON"))
        }
        do throws(BrokerConfigurationError) {
            _ = try UsersFile.parse(["bob": ["password": "hunter2"]])
            Issue.record("plaintext accepted")
        } catch {
            #expect(error.description.contains("never a plaintext password"))
        }
    }

    @Test("PasswordHash: text round trip, verification, known PBKDF2-HMAC-SHA256 vector")
    func passwordHash() throws {
        // RFC 7914 §11 test vector: PBKDF2-HMAC-SHA256("passwd", "salt", c=1, dkLen=64); first 32 bytes.
        let vector = try PasswordHash(hashing: "passwd", salt: Array("salt".utf8), iterations: 1)
        #expect(vector.hash.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
            == "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc")
        let hash = try PasswordHash(hashing: "secret", iterations: 1000)
        #expect(hash.salt.count == 16)
        let parsed = try #require(PasswordHash(parsing: hash.description))
        #expect(parsed == hash)
        #expect(parsed.verify("secret"))
        #expect(!parsed.verify("Secret"))
        #expect(hash.description.hasPrefix("pbkdf2-sha256$1000$"))
        for bad in ["", "secret", "pbkdf2-sha256$0$AAAA$AAAAAAAAAAAAAAAAAAAAAA==", "sha1$1$AAAA$AAAAAAAAAAAAAAAAAAAAAA==",
                    "pbkdf2-sha256$10$!!$AAAAAAAAAAAAAAAAAAAAAA=="] {
            #expect(PasswordHash(parsing: bad) == nil)
        }
    }
}
