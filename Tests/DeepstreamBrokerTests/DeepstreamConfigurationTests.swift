import Crypto
import DeepstreamBroker
import DeepstreamProtocol
import Foundation
import Testing
import _CryptoExtras

@Suite("deepstream 10's own config.yml, users.yml and permissions.yml")
struct DeepstreamConfigurationTests {
    static func load(_ files: [String: String], environment: [String: String] = [:]) async throws -> BrokerConfiguration {
        try await DeepstreamDefaults.withDirectory(files) { dir in
            try BrokerConfiguration.load(fromFile: dir.appendingPathComponent("config.yml").path, environment: environment)
        }
    }

    static func error(_ files: [String: String], environment: [String: String] = [:]) async throws -> String {
        try await DeepstreamDefaults.withDirectory(files) { dir in
            do throws(BrokerConfigurationError) {
                _ = try BrokerConfiguration.load(fromFile: dir.appendingPathComponent("config.yml").path, environment: environment)
                return "accepted"
            } catch {
                // Errors name the file by its full path; the tests compare what follows the directory.
                return error.description.replacingOccurrences(of: dir.path + "/", with: "")
            }
        }
    }

    @Test("The default config.yml loads: rpc and endpoint settings, open auth, allow-all permissions, one ignored list")
    func defaults() async throws {
        let c = try await Self.load([
            "config.yml": DeepstreamDefaults.configYML, "permissions.yml": DeepstreamDefaults.permissionsYML,
        ])
        #expect(c.rpc.ackTimeout == .seconds(1) && c.rpc.responseTimeout == .seconds(10))
        #expect(!c.rpc.provideRequestorName && !c.rpc.provideRequestorData)
        #expect(c.webSocketPaths == ["/deepstream": .binary])
        #expect(c.heartbeatInterval == .seconds(30) && c.unauthenticatedClientTimeout == .seconds(180))
        #expect(c.maxAuthAttempts == 3 && c.maxMessageSize == 1_048_576)
        #expect(c.host == "127.0.0.1" && c.port == 6020 && c.healthCheckPath == "/health-check")
        #expect(c.authentication == .open)
        #expect(c.permissions?.rulesets.count == 1)
        let ignored = c.ignoredSettings
        for expected in [
            "serverName", "enabledFeatures.record", "enabledFeatures.event", "enabledFeatures.presence", "telemetry.*",
            "record.*", "listen.*", "httpServer.options.allowAllOrigins", "connectionEndpoints[0].options.outgoingBufferTimeout",
            "connectionEndpoints[1] (http)", "logger.*", "monitoring.*", "permission.options.cacheEvacuationInterval",
        ] {
            #expect(ignored.contains(expected), "\(expected) not in \(ignored)")
        }
        #expect(!ignored.contains { $0.hasPrefix("rpc") || $0.hasPrefix("auth") })
        let warning = try #require(c.ignoredSettingsWarning)
        #expect(!warning.contains("\n") && warning.contains("record.*"))
    }

    @Test("Without connectionEndpoints both ws endpoints are served; urlPath, host, port and timeouts are read")
    func endpointsAndServer() async throws {
        let minimal = try await Self.load(["config.yml": "rpc:\n  ackTimeout: 50\n"])
        #expect(minimal.webSocketPaths == ["/deepstream": .binary, "/deepstream-json": .json])
        #expect(minimal.rpc.ackTimeout == .milliseconds(50) && minimal.permissions == nil && minimal.ignoredSettings.isEmpty)
        let c = try await Self.load(["config.yml": """
            httpServer:
              options:
                host: 0.0.0.0
                port: 7070
            rpc:
              provideRequestorName: true
              provideRequestorData: true
            connectionEndpoints:
              - type: ws-json
                options:
                  urlPath: /json
                  heartbeatInterval: 5000
                  unauthenticatedClientTimeout: false
                  maxAuthAttempts: 5
                  maxMessageSize: 4096
              - type: ws-binary
                options:
                  urlPath: /bin
                  heartbeatInterval: 5000
            """])
        #expect(c.host == "0.0.0.0" && c.port == 7070 && c.rpc.provideRequestorName && c.rpc.provideRequestorData)
        #expect(c.webSocketPaths == ["/json": .json, "/bin": .binary])
        #expect(c.heartbeatInterval == .seconds(5) && c.unauthenticatedClientTimeout == nil)
        #expect(c.maxAuthAttempts == 5 && c.maxMessageSize == 4096)
    }

    @Test("${NAME} takes the environment (empty when unset), in config.yml and in fileLoad'ed files")
    func environment() async throws {
        let files = [
            "config.yml": """
                httpServer:
                  options:
                    port: ${DS_PORT}
                    host: ${DS_HOST}
                auth:
                  - type: file
                    options:
                      users: fileLoad(users.yml)
                      hash: false
                """,
            "users.yml": "ops:\n  password: ${OPS_PASSWORD}\n  serverData: {role: admin}\n",
        ]
        let c = try await Self.load(files, environment: ["DS_PORT": "7001", "DS_HOST": "::1", "OPS_PASSWORD": "s3cret"])
        #expect(c.port == 7001 && c.host == "::1")
        #expect(c.authentication.authenticate(["username": "ops", "password": "s3cret"])
            == .success(user: "ops", clientData: .null, serverData: ["role": "admin"]))
        let unset = try await Self.error(files, environment: ["DS_HOST": "h"])
        #expect(unset == #"config.yml: "httpServer.options.port" must be an integer from 0 to 65535"#)
    }

    @Test("users.yml hashes verify: deepstream's own default user, and a sha256 hash made like `deepstream hash`")
    func hashes() async throws {
        let c = try await Self.load([
            "config.yml": DeepstreamDefaults.config(auth: DeepstreamDefaults.fileAuth),
            "users.yml": DeepstreamDefaults.usersYML, "permissions.yml": DeepstreamDefaults.permissionsYML,
        ])
        #expect(c.authentication.isExpensive)
        #expect(c.authentication.authenticate(["username": "userA", "password": "password"])
            == .success(user: "userA", clientData: ["favouriteColor": "red"], serverData: ["someOptional": "auth-data"]))
        #expect(c.authentication.authenticate(["username": "userA", "password": "Password"])
            == .failure(user: "userA", clientData: nil))
        // Unknown users are "not mine" for the file strategy; with nothing after it the login fails.
        #expect(c.authentication.authenticate(["username": "nobody", "password": "x"]) == .failure(user: "nobody", clientData: nil))
        #expect(c.authentication.authenticate(["username": "userA"])
            == .failure(user: "userA", clientData: ["error": "missing authentication parameter: username or/and password"]))

        // deepstream hash: salt = base64 of 16 random bytes, used as text; stored = base64(key) + salt.
        let salt = Data((0..<16).map { UInt8($0 * 7 + 3) }).base64EncodedString()
        let key = try KDF.Insecure.PBKDF2.deriveKey(
            from: Array("hunter2".utf8), salt: Array(salt.utf8), using: .sha256, outputByteCount: 64,
            unsafeUncheckedRounds: 1000)
        let stored = key.withUnsafeBytes { Data($0) }.base64EncodedString() + salt
        let sha = try await Self.load([
            "config.yml": """
                auth:
                  - type: file
                    options:
                      users: fileLoad(users.yml)
                      hash: sha256
                      iterations: 1000
                      keyLength: 64
                  - type: none
                """,
            "users.yml": "bob:\n  password: \"\(stored)\"\n  clientData: {team: b}\n",
        ])
        #expect(sha.authentication.authenticate(["username": "bob", "password": "hunter2"])
            == .success(user: "bob", clientData: ["team": "b"], serverData: .null))
        // Chained: a wrong password is "not mine" for file auth, so `none` lets the user in as given.
        #expect(sha.authentication.authenticate(["username": "bob", "password": "wrong"])
            == .success(user: "bob", clientData: nil))
        #expect(sha.authentication.authenticate([:]) == .success(user: "open", clientData: nil))
        // The hash settings round-trip: what the broker would print for a user verifies.
        let settings = try #require(DeepstreamFileAuthentication.HashSettings(algorithm: "sha512", iterations: 10, keyLength: 20))
        let made = try #require(settings.storedPassword(for: "pw"))
        let file = DeepstreamFileAuthentication(users: ["u": .init(password: made)], hash: settings)
        #expect(file.authenticate(["username": "u", "password": "pw"]) == .success(user: "u", clientData: .null, serverData: .null))
    }

    @Test("Bad files give one-line errors naming the key or rule", arguments: [
        ("prot: 1", #"config.yml: unknown setting "prot""#),
        ("rpc:\n  ackTimeout: fast", #"config.yml: "rpc.ackTimeout" must be an integer from 1 to 86400000"#),
        ("rpc:\n  acktimeout: 5", #"config.yml: unknown setting "rpc.acktimeout""#),
        ("rpc: [1", "config.yml is not valid YAML: line 2, column 1: did not find expected ',' or ']'"),
        ("rpc: {a: 1}\nrpc: {b: 2}", #"config.yml is not valid YAML: duplicated mapping key "rpc""#),
        ("enabledFeatures:\n  rpc: false", #"config.yml: "enabledFeatures.rpc" must be true (RPC is all the embedded broker does)"#),
        ("auth:\n  - type: http", #"config.yml: "auth[0].type" must be none or file (http authentication is not supported by the embedded broker)"#),
        ("auth:\n  - type: file\n    options:\n      users: fileLoad(missing.yml)", "cannot read missing.yml: no such file"),
        ("auth:\n  - type: file\n    options:\n      users: {a: {password: x}}\n      hash: whirlpool\n      iterations: 1\n      keyLength: 4",
         #"config.yml: "auth[0].options.hash" must be one of md5, sha1, sha224, sha256, sha384, sha512"#),
        ("connectionEndpoints:\n  - type: ws-binary\n    options:\n      heartbeatInterval: 100\n  - type: ws-json\n    options:\n      heartbeatInterval: 200",
         #"config.yml: "connectionEndpoints[1].options.heartbeatInterval" must be the same as connectionEndpoints[0].options.heartbeatInterval (the embedded broker has one value for all endpoints)"#),
        ("permission:\n  type: config\n  options:\n    permissions: {rpc: {'*': {request: 'user.id ==== 1'}}}",
         #"config.yml: permission.options.permissions: rule rpc.*.request: unexpected "=""#),
        ("permission:\n  type: config\n  options:\n    permissions: {rpc: {'*': {provide: 'data.x'}}}",
         #"config.yml: permission.options.permissions: rule rpc.*.provide: rule provide for rpc does not support data"#),
        ("permission:\n  type: config\n  options:\n    permissions: {rpc: {'*': {request: 'eval(data)'}}}",
         #"config.yml: permission.options.permissions: rule rpc.*.request: function eval is not supported"#),
        ("permission:\n  type: config\n  options:\n    permissions: {rpc: {a: {request: true}}}",
         #"config.yml: permission.options.permissions: "rpc" must be a root entry "*""#),
        ("permission:\n  type: config\n  options:\n    permissions: {rpc: {'*': {call: true}}}",
         #"config.yml: permission.options.permissions: rule rpc.*.call: rpc rules are provide, request"#),
        ("permission:\n  type: config\n  options:\n    permissions: {rpc: {'*': {request: true}, 'a+': {request: true}}}",
         #"config.yml: permission.options.permissions: rule rpc.a+: "+" would be regular expression syntax in deepstream; only * and $variables are supported"#),
    ])
    func badFiles(text: String, message: String) async throws {
        let error = try await Self.error(["config.yml": text])
        #expect(error == message)
        #expect(!error.contains("\n"))
    }

    @Test("Our JSON configuration still loads, and may name a deepstream permissions file")
    func jsonFormat() async throws {
        let c = try await DeepstreamDefaults.withDirectory([
            "config.json": #"{"port": 7000, "permissions": "permissions.yml"}"#,
            "permissions.yml": "rpc:\n  '*':\n    provide: true\n    request: false\n",
        ]) { dir in try BrokerConfiguration.load(fromFile: dir.appendingPathComponent("config.json").path) }
        #expect(c.port == 7000)
        let subject = PermissionSubject(user: "a", serverData: nil)
        #expect(c.permissions?.check(.request, name: "x", subject: subject, data: nil, now: Timestamp(nanoseconds: 0))
            == .denied(rule: "rpc.*.request"))
    }
}
