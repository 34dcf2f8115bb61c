import Foundation

/// deepstream 10.1.4's default `conf/config.yml`, `conf/users.yml` and `conf/permissions.yml`, written
/// out here in the same format (comments shortened) so the tests never read outside the test sources.
enum DeepstreamDefaults {
    static let configYML = """
        # General
        serverName: UUID
        showLogo: true
        dependencyInitializationTimeout: 5000
        exitOnFatalError: false
        logLevel: 0

        enabledFeatures:
          record: true
          event: true
          rpc: true
          presence: true

        telemetry:
          type: deepstreamIO
          options:
            enabled: false
            debug: false

        rpc:
          # Timeout for client RPC acknowledgement
          ackTimeout: 1000
          # Timeout for actual RPC provider response
          responseTimeout: 10000
          provideRequestorName: false
          provideRequestorData: false

        record:
          cacheRetrievalTimeout: 30000
          storageRetrievalTimeout: 30000

        listen:
          shuffleProviders: true
          responseTimeout: 500
          rematchInterval: 60000
          matchCooldown: 10000

        httpServer:
          type: default
          options:
            healthCheckPath: /health-check
            allowAllOrigins: true
            maxMessageSize: 1048576
            origins:
              - 'https://example.com'

        connectionEndpoints:
          - type: ws-binary
            options:
              urlPath: /deepstream
              heartbeatInterval: 30000
              outgoingBufferTimeout: 0
              maxBufferByteSize: 100000
              logInvalidAuthData: false
              unauthenticatedClientTimeout: 180000
              maxAuthAttempts: 3
              maxMessageSize: 1048576

          - type: http
            options:
              allowAuthData: true
              postPath: /api
              getPath: /api
              logInvalidAuthData: false
              requestTimeout: 20000

        logger:
          type: default
          options:
            colors: true

        auth:
          - type: none

        permission:
          type: config
          options:
            permissions: fileLoad(permissions.yml)
            maxRuleIterations: 3
            cacheEvacuationInterval: 60000

        monitoring:
          - type: none
        """

    static let usersYML = """
        # Username
        userA:
          # This hash represents clear text "password" with default options
          password: "rCOSZxJrgze2AZdVQh12c6ErDMOG0M+Rx5Yu7S5d91c=GS4SbTQYmoaGwjm2shEobg=="
          serverData:
            someOptional: "auth-data"
          clientData:
            favouriteColor: "red"
        """

    static let permissionsYML = """
        presence:
          "*":
            allow: true
        record:
          "*":
            create: true
            write: true
            read: true
            delete: true
            listen: true
            notify: true
        event:
          "*":
            publish: true
            subscribe: true
            listen: true
        rpc:
          "*":
            provide: true
            request: true
        """

    /// The commented-out `file` auth block of the default config.yml, switched on.
    static let fileAuth = """
        auth:
          - type: file
            options:
              users: fileLoad(users.yml)
              hash: 'md5'
              iterations: 100
              keyLength: 32
        """

    /// A temporary conf directory holding `files`; removed by `body`'s end.
    static func withDirectory<T>(_ files: [String: String], _ body: (URL) async throws -> T) async throws -> T {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ds-conf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for (name, text) in files {
            try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        return try await body(dir)
    }

    /// The default config.yml with `auth:` … (up to `permission:`) replaced by `auth`.
    static func config(auth: String = "auth:\n  - type: none", extra: String = "") -> String {
        let start = configYML.range(of: "auth:\n  - type: none")!
        return configYML.replacingCharacters(in: start, with: auth) + "\n" + extra
    }
}
