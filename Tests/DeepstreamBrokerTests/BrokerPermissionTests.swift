import DeepstreamBroker
import DeepstreamProtocol
import Foundation
import Testing

@Suite("Valve RPC permissions end to end: deepstream files, real sockets, MESSAGE_DENIED")
struct BrokerPermissionTests {
    static let permissionsYML = """
        presence:
          "*":
            allow: true
        rpc:
          "*":
            provide: true
            request: true
          "payments.*":
            provide: "user.id === 'finance'"
            request: "user.data.role === 'finance' && data.amount <= 100"
          "admin-*":
            request: "user.data.clearance.level > 3"
        """

    /// config.yml + users.yml (hashed as `deepstream hash` does, md5/100/32 like the defaults) + permissions.yml.
    static func configuration() async throws -> BrokerConfiguration {
        let settings = try #require(DeepstreamFileAuthentication.HashSettings(algorithm: "md5", iterations: 100, keyLength: 32))
        let financeHash = try #require(settings.hash("money", salt: "c2FsdHNhbHRzYWx0c2FsdA==")) + "c2FsdHNhbHRzYWx0c2FsdA=="
        let users = DeepstreamDefaults.usersYML + """

            finance:
              password: "\(financeHash)"
              serverData:
                role: finance
              clientData:
                desk: 7
            """
        var configuration = try await DeepstreamDefaults.withDirectory([
            "config.yml": DeepstreamDefaults.config(auth: DeepstreamDefaults.fileAuth)
                .replacingOccurrences(of: "provideRequestorName: false", with: "provideRequestorName: true"),
            "users.yml": users, "permissions.yml": permissionsYML,
        ]) { dir in try BrokerConfiguration.load(fromFile: dir.appendingPathComponent("config.yml").path) }
        configuration.port = 0
        configuration.shutdownGracePeriod = .milliseconds(100)
        return configuration
    }

    @Test("PROVIDE and REQUEST are allowed or denied per rule, framed as the reference server frames them")
    func allowAndDeny() async throws {
        let configuration = try await Self.configuration()
        #expect(configuration.rpc.provideRequestorName)
        let broker = Broker(configuration: configuration)
        let events = broker.tap(bufferingNewest: 1000)
        let port = try await broker.start().port!

        let finance = try await loggedInClient(port: port, authData: #"{"username":"finance","password":"money"}"#)
        let userA = try await loggedInClient(port: port, authData: #"{"username":"userA","password":"password"}"#)

        // Allowed bulk provide: just the ack.
        try await finance.provide(["payments.charge", "weather"], correlationId: "p1")

        // Partly denied: MESSAGE_DENIED for the denied name, then the ack for the rest.
        try await userA.send(.rpc(RPCMessage(action: .provide, correlationId: "0", names: ["payments.refund", "echo"])))
        #expect(try await userA.nextRPC() == RPCMessage(
            action: .messageDenied, correlationId: "0", isError: true, name: "payments.refund", originalAction: .provide))
        #expect(try await userA.nextRPC() == RPCMessage(action: .provide, correlationId: "0", isAck: true))
        // Wholly denied: no ack.
        try await userA.send(.rpc(RPCMessage(action: .provide, correlationId: "1", names: ["payments.void"])))
        #expect(try await userA.nextRPC() == RPCMessage(
            action: .messageDenied, correlationId: "1", isError: true, name: "payments.void", originalAction: .provide))
        #expect(try await userA.staysSilent(for: .milliseconds(200)))

        // REQUEST denied by the rule over user.data: exactly the reference's frame; the provider sees nothing.
        try await userA.request("payments.charge", correlationId: "r1", data: #"{"amount":5}"#)
        #expect(try await userA.nextRPC() == RPCMessage(
            action: .messageDenied, correlationId: "r1", isError: true, name: "payments.charge", originalAction: .request))
        // Denied by the rule over data.
        try await finance.request("payments.charge", correlationId: "r2", data: #"{"amount":500}"#)
        #expect(try await finance.nextRPC() == RPCMessage(
            action: .messageDenied, correlationId: "r2", isError: true, name: "payments.charge", originalAction: .request))
        // Allowed: routed to the provider (finance itself) with requestorName; answered.
        try await finance.request("payments.charge", correlationId: "r3", data: #"{"amount":50}"#)
        let forwarded = try await finance.nextRPC()
        #expect(forwarded.action == .request && forwarded.correlationId == "r3" && forwarded.requestorName == "finance")
        #expect(forwarded.data == #"{"amount":50}"#)
        try await finance.reply(.response, to: forwarded, data: #""ok""#)
        let answer = try await finance.nextRPC()
        #expect(answer.action == .response && answer.data == #""ok""#)
        // userA may call what "*" allows, even if nobody provides it.
        try await userA.request("echo", correlationId: "r4")
        #expect(try await userA.nextRPC() == RPCMessage(action: .request, correlationId: "r4", name: "echo", requestorName: "userA"))
        // A rule that throws (userA's serverData has no clearance): MESSAGE_PERMISSION_ERROR.
        try await finance.request("admin-reset", correlationId: "r5")
        #expect(try await finance.nextRPC() == RPCMessage(
            action: .messagePermissionError, correlationId: "r5", isError: true, name: "admin-reset",
            originalAction: .request))

        await broker.shutdown(gracePeriod: .milliseconds(10))
        var steps: [CallID: [CallStep]] = [:]
        for await event in events {
            if case .call(let e) = event { steps[e.call, default: []].append(e.step) }
        }
        #expect(steps[CallID(requestor: PeerID(2), correlationId: "r1")] == [
            .requested(data: #"{"amount":5}"#), .denied(rule: "rpc.payments.*.request", reason: .messageDenied),
        ])
        #expect(steps[CallID(requestor: PeerID(1), correlationId: "r5")] == [
            .requested(data: nil),
            .denied(
                rule: "rpc.admin-*.request: TypeError: Cannot read properties of undefined (reading 'level')",
                reason: .messagePermissionError),
        ])
    }

    @Test("The default deepstream files (open auth, allow-all rules) route as without permissions")
    func defaultsRoute() async throws {
        var configuration = try await DeepstreamDefaults.withDirectory([
            "config.yml": DeepstreamDefaults.configYML, "permissions.yml": DeepstreamDefaults.permissionsYML,
        ]) { dir in try BrokerConfiguration.load(fromFile: dir.appendingPathComponent("config.yml").path) }
        configuration.port = 0
        try await withBroker(configuration) { _, port in
            let provider = try await loggedInClient(port: port)
            try await provider.provide(["job"])
            let requestor = try await loggedInClient(port: port)
            try await requestor.request("job", correlationId: "c", data: "1")
            #expect(try await provider.nextRPC() == RPCMessage(action: .request, data: "1", correlationId: "c", name: "job"))
            // Only ws-binary is listed in the default config.yml: /deepstream-json is not served.
            #expect(try await rawExchange(port: port, request: "GET /deepstream-json HTTP/1.1\r\nHost: x\r\n\r\n")
                .hasPrefix("HTTP/1.1 404"))
        }
    }
}
