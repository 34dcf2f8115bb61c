import DeepstreamClient
import DeepstreamProtocol
import Foundation
import Synchronization
import TestSupport
import Testing

extension BinaryTests {
    /// `dsconsole cluster redis://… --proxy UPSTREAM` in tmux, with the embedded broker as the proxied
    /// node ("node-a") and a real redis-server as the bus. The bus messages of the cross-node leg are
    /// published by the test with the correlation id the real call got, in the order a cluster sends
    /// them; the console must show one row for the call: the app behind the proxy → the provider node.
    @Suite("cluster --proxy (binary, tmux, real redis-server)", .serialized, .enabled(if: RedisServer.binary != nil))
    struct ClusterProxyEndToEndTests {
        @Test("a call through the proxy and across the bus is one row: alice → node-b, ok")
        func joinedRow() async throws {
            let redis = try await RedisServer()
            defer { redis.stop() }
            let broker = try await TestBroker.start()

            // The provider stands in for node-b's: connected to the broker directly (the proxy does not see
            // it), it answers only when the test says so.
            let responses = Mutex<[RPCResponse]>([])
            let provider = try ClientEngine(url: broker.url)
            _ = try await provider.login(["username": "carol"])
            let providerEvents = provider.events()
            try await provider.provide("double-it") { _, response, _ in
                response.autoAccept = false
                responses.withLock { $0.append(response) }
            }
            for await event in providerEvents {
                if case .providerAcknowledged("double-it", true, _) = event { break }
            }

            let arguments = ["cluster", "redis://127.0.0.1:\(redis.port)", "--proxy", broker.url, "--listen", "127.0.0.1:0"]
            try await RunningConsole.run(width: 200, arguments: arguments) { console in
                let session = console.session
                let screen = try await session.waitUntil(timeout: .seconds(15)) { $0.contains("+ proxy ws://127.0.0.1:") }
                let match = try #require(screen.firstMatch(of: /\+ proxy ws:\/\/127\.0\.0\.1:(\d+)\/deepstream/), "\(screen)")
                let listen = "ws://127.0.0.1:\(match.output.1)/deepstream"
                try await redis.waitForSubscriber()
                try await redis.publish([
                    ClusterBusScript.status("node-a", 0.9), ClusterBusScript.status("node-b", 0.1),
                    ClusterBusScript.registry("node-b", #""action":2,"name":"double-it""#),
                ].map { (channel: $0.0, payload: $0.1) })
                try await session.waitUntil { $0.contains("double-it") && $0.contains("node-b") }

                let alice = try ClientEngine(url: listen)
                _ = try await alice.login(["username": "alice"])
                let call = Task { try await alice.make("double-it", data: 21) }
                var waited = 0
                while responses.withLock({ $0.isEmpty }), waited < 200 {
                    try await Task.sleep(for: .milliseconds(50))
                    waited += 1
                }
                let response = try #require(responses.withLock { $0.first })
                let cid = response.correlationId
                func bus(_ from: String, _ to: String, _ action: Int, _ extra: String = "") -> (channel: String, payload: [UInt8]) {
                    let message = ClusterBusScript.rpc(from, to, #""names":[],"action":\#(action),"correlationId":"\#(cid)","name":"double-it"\#(extra)"#)
                    return (channel: message.0, payload: message.1)
                }
                // node-a forwards the REQUEST to node-b on the bus: the proxy's row now routes to node-b.
                try await redis.publish([bus("node-a", "node-b", 2, #","data":"21""#)])
                let routed = try await session.waitUntil(timeout: .seconds(10)) { screen in
                    screen.split(separator: "\n").contains { $0.contains("double-it") && $0.contains("alice → #") && $0.contains(" node-b") }
                }
                // node-b's ACCEPT crosses the bus, then node-a forwards it to alice (through the proxy).
                try await redis.publish([bus("node-b", "node-a", 4)])
                response.accept()
                try await redis.publish([bus("node-b", "node-a", 5, #","data":"42""#)])
                response.send(42)
                #expect(try await call.value == 42)
                let done = try await session.waitUntil(timeout: .seconds(10)) { screen in
                    screen.split(separator: "\n").contains { $0.contains("double-it") && $0.contains("alice → #") && $0.contains(" ok") }
                }
                // One row for the call, not one per view.
                let rows = done.split(separator: "\n").filter { $0.contains("double-it") && $0.contains("→") }
                #expect(rows.count == 1, "\(done)")
                #expect(rows.first?.contains("node-b") == true, "\(routed)\n\(done)")
                #expect(done.contains("proxy: every call of the apps on ws://127.0.0.1:\(broker.port)"), "\(done)")
                // The detail's timeline has the steps of both views: requested (proxy), routed to node-b (bus),
                // responded.
                try await session.sendKeys("Enter")
                let detail = try await session.waitUntil { $0.contains("Esc closes") && $0.contains("Timeline") }
                #expect(detail.contains("node-b") && detail.contains("alice"), "\(detail)")
                try await session.sendKeys("Escape")
                await alice.close()
                #expect(try await console.quitConfirmingCalls() == 0)
                #expect(console.stderr.isEmpty, "stderr: \(console.stderr)")
            }
            await provider.close()
            await broker.stop()
        }
    }
}
