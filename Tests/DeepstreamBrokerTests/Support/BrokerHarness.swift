import DeepstreamBroker
import DeepstreamProtocol
import Logging

/// A configuration for socket tests on an ephemeral port. RPC timeouts are generous so that a loaded
/// machine does not turn a happy path into a timeout; tests about timeouts set their own short ones.
func testConfiguration(_ adjust: (inout BrokerConfiguration) -> Void = { _ in }) -> BrokerConfiguration {
    var configuration = BrokerConfiguration()
    configuration.port = 0
    configuration.rpc.ackTimeout = .seconds(3)
    configuration.rpc.responseTimeout = .seconds(6)
    configuration.shutdownGracePeriod = .milliseconds(200)
    adjust(&configuration)
    return configuration
}

/// Runs `body` against a started broker and always shuts it down.
func withBroker<T>(
    _ configuration: BrokerConfiguration = testConfiguration(),
    _ body: (Broker, Int) async throws -> T
) async throws -> T {
    var logger = Logger(label: "test.broker")
    logger.logLevel = .warning
    let broker = Broker(configuration: configuration, logger: logger)
    let port: Int
    do {
        port = try await broker.start().port ?? 0
    } catch {
        await broker.shutdown()
        throw error
    }
    do {
        let result = try await body(broker, port)
        await broker.shutdown(gracePeriod: .milliseconds(50))
        return result
    } catch {
        await broker.shutdown(gracePeriod: .milliseconds(50))
        throw error
    }
}

/// A logged-in client on the binary endpoint.
func loggedInClient(port: Int, path: String = "/deepstream", authData: String = "{}") async throws -> TestWebSocketClient {
    let client = try await TestWebSocketClient.connect(port: port, path: path)
    let reply = try await client.login(authData)
    guard case .auth(let auth) = reply, auth.action == .authSuccessful else {
        throw TestClientError.unexpected("login failed: \(reply)")
    }
    return client
}
