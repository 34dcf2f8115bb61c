import DeepstreamClient
import DeepstreamProtocol
import Foundation
import Testing

/// `dsconsole proxy` in a tmux pane in front of an embedded broker: another client's call through the
/// proxy appears in the console with its route, and the remote provider in the Providers pane.
@Suite("Proxy console end to end (tmux)", .serialized)
struct ProxyConsoleEndToEndTests {
    @Test("Another client's call through the proxy shows as a row with route requestor → provider")
    func otherClientsCall() async throws {
        let broker = try await TestBroker.start()
        try await RunningConsole.run(width: 140, arguments: ["proxy", broker.url, "--listen", "127.0.0.1:0"]) { console in
            let session = console.session
            // The status line names the listen address (with the port the system chose) and the upstream.
            let screen = try await session.waitUntil(timeout: .seconds(15)) {
                $0.contains("→ ws://127.0.0.1:\(broker.port)") && $0.contains("add-two-numbers")
            }
            let match = try #require(screen.firstMatch(of: /ws:\/\/127\.0\.0\.1:(\d+)\/deepstream/), "no listen URL on: \(screen)")
            let url = "ws://127.0.0.1:\(match.output.1)/deepstream"

            let provider = try await startEchoProvider(at: url, authData: ["username": "alice"], name: "remote-echo")
            let requestor = try ClientEngine(url: url)
            _ = try await requestor.login(["username": "bob"])
            #expect(try await requestor.make("remote-echo", data: ["hello": "proxy"]) == ["hello": "proxy"])
            let after = try await session.waitUntil(timeout: .seconds(10)) { screen in
                screen.split(separator: "\n").contains { $0.contains("remote-echo") && $0.contains("bob") && $0.contains("alice") }
            }
            let row = after.split(separator: "\n").first { $0.contains("remote-echo") && $0.contains("bob") && $0.contains("→") }
            #expect(row != nil, "no call row with a route: \(after)")
            // The Providers pane lists the remote provider with its user name.
            #expect(after.split(separator: "\n").contains { $0.contains("remote-echo") && $0.contains("alice") && !$0.contains("bob") })
            // The status line shows messages per second per topic while calls pass (one call a 100 ms).
            let calling = Task {
                while !Task.isCancelled {
                    _ = try? await requestor.make("remote-echo", data: 1)
                    try? await Task.sleep(for: .milliseconds(100))
                }
            }
            // (waitUntil fails the test when the line never appears.)
            try await session.waitUntil(timeout: .seconds(10)) { screen in
                screen.split(separator: "\n").contains { $0.contains("msgs RPC ") && $0.contains("calls/s") }
            }
            calling.cancel()
            _ = await calling.value
            await requestor.close()
            await provider.close()
            #expect(try await console.quitConfirmingCalls() == 0)
            #expect(console.stderr.isEmpty, "stderr: \(console.stderr)")
        }
        await broker.stop()
    }

    @Test("Two upstreams in one console: both listeners on the status line, each call's users named with their node")
    func twoUpstreams() async throws {
        let usage = try await ChildProcess.run(["proxy", "ws://127.0.0.1:1", "ws://127.0.0.1:2", "--listen", "127.0.0.1:0"])
        #expect(usage.status == 64)
        #expect(usage.stderr.contains("one --listen per upstream"), "stderr: \(usage.stderr)")
        let first = try await TestBroker.start()
        let second = try await TestBroker.start()
        let arguments = ["proxy", first.url, second.url, "--listen", "127.0.0.1:0", "--listen", "127.0.0.1:0"]
        try await RunningConsole.run(width: 250, arguments: arguments) { console in
            let session = console.session
            let screen = try await session.waitUntil(timeout: .seconds(15)) {
                $0.contains("→ ws://127.0.0.1:\(first.port)") && $0.contains("→ ws://127.0.0.1:\(second.port)")
            }
            let listens = screen.matches(of: #/ws://127\.0\.0\.1:(\d+)/deepstream → /#).map { String($0.output.1) }
            #expect(listens.count == 2, "status line: \(screen)")
            // The console's own connection goes through the first listener and is named like the others.
            try await session.waitUntil(timeout: .seconds(10)) { $0.contains("console@127.0.0.1:\(first.port)") }
            let url = "ws://127.0.0.1:\(try #require(listens.last))/deepstream"
            // Both apps on the second node (these two brokers are not a cluster).
            let result = try await echoCallBetweenTwoClients(
                at: url, name: "node-echo", data: 7, providerAuth: ["username": "alice"], requestorAuth: ["username": "bob"]
            ) {
                try await session.waitUntil(timeout: .seconds(10)) { screen in
                    screen.split(separator: "\n").contains {
                        $0.contains("node-echo") && $0.contains("bob@127.0.0.1:\(second.port)") && $0.contains("alice@127.0.0.1:\(second.port)")
                    }
                }
            }
            #expect(result == 7)
            try await session.sendKeys("q")
        }
        await first.stop()
        await second.stop()
    }

    @Test("An upstream that refuses connections is named on the status line")
    func upstreamDown() async throws {
        let refusing = RefusingPort()
        let upstream = "ws://127.0.0.1:\(refusing.port)"
        try await RunningConsole.run(width: 140, arguments: ["proxy", upstream, "--listen", "127.0.0.1:0"]) { console in
            try await console.session.waitUntil(timeout: .seconds(15)) { $0.contains("upstream \(upstream) unreachable") }
            try await console.session.sendKeys("q")
        }
        _ = refusing.port
    }
}
