import ConsoleCore
import DeepstreamBroker
import DeepstreamClient
import DeepstreamProtocol
import Foundation
import MockProviders
import Testing

@testable import dsconsole

/// The console's own providers against a real embedded broker on an ephemeral port: provide, serve,
/// unprovide, and a quick toggle sequence reaching the engine in order.
@Suite("Console provider host")
struct ConsoleProviderHostTests {
    private static func definition(_ name: String, _ behaviour: String) throws -> ProviderDefinition {
        try BehaviourSyntax.parse(name: name, behaviour: behaviour).get()
    }

    /// A broker, the console's engine with the host, and a second engine to make calls.
    private static func withSetup(
        _ body: (inout ConsoleProviderHost, ClientEngine) async throws -> Void
    ) async throws {
        var configuration = BrokerConfiguration()
        configuration.port = 0
        configuration.rpc.ackTimeout = .milliseconds(300)
        configuration.rpc.responseTimeout = .milliseconds(600)
        let broker = Broker(configuration: configuration)
        let port = try #require(try await broker.start().port)
        let console = try ClientEngine(url: "127.0.0.1:\(port)")
        let caller = try ClientEngine(url: "127.0.0.1:\(port)")
        try await console.login()
        try await caller.login()
        var host = ConsoleProviderHost(engine: console) { _ in }
        do {
            try await body(&host, caller)
        } catch {
            host.finish()
            await console.close()
            await caller.close()
            await broker.shutdown(gracePeriod: .zero)
            throw error
        }
        host.finish()
        await console.close()
        await caller.close()
        await broker.shutdown(gracePeriod: .zero)
    }

    /// Calls `name` until `accept` likes the outcome (providing takes a round trip), up to 5 s.
    private static func call(
        _ caller: ClientEngine, _ name: String, data: JSONValue?, until accept: (Result<JSONValue?, RPCError>) -> Bool
    ) async throws -> Result<JSONValue?, RPCError> {
        let deadline = ContinuousClock.now + .seconds(5)
        while true {
            let outcome: Result<JSONValue?, RPCError>
            do throws(RPCError) { outcome = .success(try await caller.make(name, data: data)) } catch { outcome = .failure(error) }
            if accept(outcome) || ContinuousClock.now > deadline { return outcome }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    @Test("add-two-numbers is served with 11; unprovided it gives NO_RPC_PROVIDER")
    func provideServeUnprovide() async throws {
        try await Self.withSetup { host, caller in
            _ = host.add(try Self.definition("add-two-numbers", "template {{data.numA + data.numB}}"), provideAtStart: true)
            host.provide("add-two-numbers")
            let served = try await Self.call(caller, "add-two-numbers", data: ["numA": 4, "numB": 7]) { (try? $0.get()) != nil }
            #expect(try served.get() == 11)
            host.unprovide("add-two-numbers")
            let refused = try await Self.call(caller, "add-two-numbers", data: ["numA": 4, "numB": 7]) {
                if case .failure(.noRPCProvider) = $0 { true } else { false }
            }
            #expect(refused == .failure(.noRPCProvider))
        }
    }

    @Test("provide, unprovide, provide in a row ends provided (the queue keeps the order)")
    func quickToggleKeepsOrder() async throws {
        try await Self.withSetup { host, caller in
            _ = host.add(try Self.definition("echo", "echo"), provideAtStart: true)
            host.provide("echo")
            host.unprovide("echo")
            host.provide("echo")
            let outcome = try await Self.call(caller, "echo", data: ["x": 1]) { (try? $0.get()) != nil }
            #expect(try outcome.get() == ["x": 1])
        }
    }

    @Test("A behaviour from the prompt: error reaches the requestor as REQUEST_ERROR")
    func errorAndReject() async throws {
        try await Self.withSetup { host, caller in
            _ = host.add(try Self.definition("fails", #"error "nope""#), provideAtStart: true)
            host.provide("fails")
            let failed = try await Self.call(caller, "fails", data: nil) {
                if case .failure(.requestError) = $0 { true } else { false }
            }
            #expect(failed == .failure(.requestError("nope")))
        }
    }

    @Test("A recorded provider answers the recorded response for equal data and notRecorded otherwise")
    func recordedProvider() async throws {
        let loaded = try RecordingProviderHost.load(text: RecordedProvidersTests.text(), file: "calls.jsonl", match: .data, speed: 1)
        try await Self.withSetup { host, caller in
            for provider in loaded.providers { _ = host.add(provider, provideAtStart: true) }
            host.provide("greet")
            // Equal data in another spelling finds the recorded answer.
            let ada = try await Self.call(caller, "greet", data: ["name": "Ada"]) { (try? $0.get()) != nil }
            #expect(try ada.get() == ["greeting": "Hello, Ada!"])
            let bob = try await Self.call(caller, "greet", data: ["name": "Bob"]) { _ in true }
            #expect(try bob.get() == ["greeting": "Hello, Bob!"])
            let other = try await Self.call(caller, "greet", data: ["name": "Cy"]) { _ in true }
            #expect(other == .failure(.requestError(["notRecorded": ["name": "greet", "data": ["name": "Cy"]]])))
        }
    }
}
