import DeepstreamCluster
import DeepstreamProtocol
import Foundation
import TestSupport
import Testing

/// A tiny two-node bus conversation, as deepstream 10.1.4 publishes it (docs/cluster.md).
enum ClusterBusScript {
    static func status(_ node: String, _ score: Double) -> (String, [UInt8]) {
        ("9", Array(#"{"fromServer":"\#(node)","message":{"topic":9,"action":2,"serverName":"\#(node)","leaderScore":\#(score),"role":"deepstream"}}"#.utf8))
    }

    static func registry(_ node: String, _ body: String) -> (String, [UInt8]) {
        ("11", Array(#"{"fromServer":"\#(node)","message":{"topic":11,"registryTopic":13,\#(body)}}"#.utf8))
    }

    static func rpc(_ from: String, _ to: String, _ body: String) -> (String, [UInt8]) {
        ("6", Array(#"{"fromServer":"\#(from)","toServer":"\#(to)","message":{"topic":6,\#(body)}}"#.utf8))
    }

    /// node-a and node-b join, node-b provides `double-it` (checksum of ["double-it"] included), and a
    /// client on node-a calls it once through node-b.
    static var oneCall: [(channel: String, payload: [UInt8])] {
        let checksum = ProviderChecksum.total(of: ["double-it"])
        return [
            status("node-a", 0.9), status("node-b", 0.1),
            registry("node-b", #""action":2,"name":"double-it""#),
            registry("node-b", #""action":6,"checksum":\#(checksum)"#),
            rpc("node-a", "node-b", #""names":[],"action":2,"data":"{\"n\":21}","correlationId":"cid-1","name":"double-it""#),
            rpc("node-b", "node-a", #""names":[],"action":4,"correlationId":"cid-1","name":"double-it""#),
            rpc("node-b", "node-a", #""names":[],"action":5,"data":"42","correlationId":"cid-1","name":"double-it""#),
        ].map { (channel: $0.0, payload: $0.1) }
    }
}

extension BinaryTests {
    @Suite("cluster (binary, real redis-server)", .serialized, .enabled(if: RedisServer.binary != nil))
    struct ClusterCommandTests {
        @Test("watch --cluster prints nodes, providers and the cross-node call with node names")
        func watchCluster() async throws {
            let redis = try await RedisServer()
            defer { redis.stop() }
            let watch = try ChildProcess(["watch", "--cluster", "redis://127.0.0.1:\(redis.port)"])
            #expect(await watch.waitFor(#""state":"subscribed""#, inStderr: false), "\(watch.stderr)")
            try await redis.waitForSubscriber()
            try await redis.publish(ClusterBusScript.oneCall)
            #expect(await watch.waitFor(#""step":"responded""#, inStderr: false), "\(watch.stdout)")
            watch.send(SIGINT)
            #expect(await watch.wait(timeout: .seconds(10)) == 0)
            let lines = try jsonLines(watch.stdout)
            let nodes = lines.filter { $0["event"] == "node" && $0["change"] == "joined" }.compactMap { $0["node"]?.stringValue }
            #expect(nodes == ["node-a", "node-b"])
            let status = try #require(lines.last { $0["event"] == "node" && $0["node"] == "node-b" && $0["change"] == "status" })
            #expect(status["leader"] == "node-a")
            #expect(status["state"] == "alive")
            let provider = try #require(lines.first { $0["event"] == "providerAdded" })
            #expect(provider["node"] == "node-b" && provider["name"] == "double-it")
            let steps = lines.filter { $0["event"] == "call" }
            #expect(steps.compactMap { $0["step"]?.stringValue } == ["requested", "routed", "accepted", "responded"])
            #expect(steps.allSatisfy { $0["requestorNode"] == "node-a" && $0["correlationId"] == "cid-1" })
            #expect(steps[1]["providerNode"] == "node-b")
            #expect(steps[0]["data"] == ["n": 21])
            #expect(steps[3]["data"] == 42)
            #expect(!lines.contains { $0["event"] == "warning" }, "\(lines)")
        }

        @Test("watch --cluster: a wrong password is one line and exit 69; a bad URL is a usage error")
        func wrongPassword() async throws {
            let redis = try await RedisServer(password: "right")
            defer { redis.stop() }
            let result = try await ChildProcess.run(["watch", "--cluster", "redis://:wrong@127.0.0.1:\(redis.port)"])
            #expect(result.status == 69)
            let errors = result.stderr.split(separator: "\n")
            #expect(errors.count == 1 && errors[0].contains("refused the password"), "\(result.stderr)")
            let bad = try await ChildProcess.run(["watch", "--cluster", "http://127.0.0.1:1"])
            #expect(bad.status == 64)
            #expect(bad.stderr.contains("only redis:// URLs"), "\(bad.stderr)")
            // `cluster --listen` without `--proxy` would silently do nothing: a usage error instead.
            let listen = try await ChildProcess.run(["cluster", "redis://127.0.0.1:\(redis.port)", "--listen", "127.0.0.1:0"])
            #expect(listen.status == 64)
            #expect(listen.stderr.contains("--listen, --upstream-ca and --busy-poll go with --proxy UPSTREAM"), "\(listen.stderr)")
            let busyPoll = try await ChildProcess.run(["cluster", "redis://127.0.0.1:\(redis.port)", "--busy-poll", "50"])
            #expect(busyPoll.status == 64)
            #expect(busyPoll.stderr.contains("--busy-poll go with --proxy UPSTREAM"), "\(busyPoll.stderr)")
            let tooLong = try await ChildProcess.run(["cluster", "redis://127.0.0.1:\(redis.port)", "--proxy", "ws://127.0.0.1:1", "--busy-poll", "20000"])
            #expect(tooLong.status == 64)
            #expect(tooLong.stderr.contains("--busy-poll 20000 is too long"), "\(tooLong.stderr)")
        }

        @Test("watch --cluster says when Redis goes away and comes back")
        func redisRestart() async throws {
            let redis = try await RedisServer()
            defer { redis.stop() }
            let watch = try ChildProcess(["watch", "--cluster", "redis://127.0.0.1:\(redis.port)"])
            #expect(await watch.waitFor(#""state":"subscribed""#, inStderr: false))
            redis.stop()
            #expect(await watch.waitFor("retrying with backoff"), "\(watch.stderr)")
            try await redis.restart()
            #expect(await watch.waitFor("subscribed to the cluster bus at 127.0.0.1:\(redis.port) again"), "\(watch.stderr)")
            try await redis.publish([ClusterBusScript.status("node-z", 0.5)].map { (channel: $0.0, payload: $0.1) })
            #expect(await watch.waitFor(#""node":"node-z""#, inStderr: false))
            watch.send(SIGINT)
            #expect(await watch.wait(timeout: .seconds(10)) == 0)
        }

        @Test("dsconsole cluster: calls, providers, the Nodes view (a node going silent) and the Redis outage")
        func consoleInTmux() async throws {
            let redis = try await RedisServer()
            defer { redis.stop() }
            try await RunningConsole.run(width: 140, arguments: ["cluster", "redis://127.0.0.1:\(redis.port)"]) { console in
                let session = console.session
                try await session.waitUntil(timeout: .seconds(15)) { $0.contains("redis://127.0.0.1:\(redis.port) (cluster bus, read-only: cross-node calls only)") }
                try await redis.waitForSubscriber()
                try await redis.publish(ClusterBusScript.oneCall)
                // The call row (requestor node → provider node, ok) and node-b's provider row; the Calls
                // title says what the bus cannot show.
                let screen = try await session.waitUntil(timeout: .seconds(10)) { screen in
                    screen.split(separator: "\n").contains { $0.contains("double-it") && $0.contains("node-a → #2 node-b") && $0.contains("ok") }
                }
                #expect(screen.split(separator: "\n").contains { $0.contains("double-it") && $0.contains("#2 node-b") && !$0.contains("→") })
                #expect(screen.contains("0 errors"), "\(screen)")
                #expect(screen.contains("cross-node only: same-node calls are not on the bus"), "\(screen)")
                #expect(screen.contains(" BUS "), "\(screen)")

                // N: the Nodes view lists both nodes alive, node-a leading, node-b providing double-it.
                try await session.sendKeys("N")
                let nodes = try await session.waitUntil { $0.contains("Nodes · 2 (2 alive) · leader node-a") }
                let rows = nodes.split(separator: "\n")
                #expect(rows.contains { $0.contains("★ node-a") && $0.contains("alive") }, "\(nodes)")
                #expect(rows.contains { $0.contains("node-b") && $0.contains("alive") && $0.contains("double-it") }, "\(nodes)")
                #expect(nodes.contains("Same-node calls never cross the bus"))
                // node-a keeps announcing itself, node-b stops: silent, then gone after the 6 s timeout.
                var gone = ""
                let deadline = ContinuousClock.now + .seconds(20)
                while ContinuousClock.now < deadline {
                    try await redis.publish([ClusterBusScript.status("node-a", 0.9)].map { (channel: $0.0, payload: $0.1) })
                    gone = try await session.capturePane()
                    if gone.split(separator: "\n").contains(where: { $0.contains("node-b") && $0.contains("gone, silent since") }) { break }
                    try await Task.sleep(for: .milliseconds(500))
                }
                #expect(gone.contains("Nodes · 2 (1 alive) · leader node-a"), "\(gone)")
                #expect(gone.split(separator: "\n").contains { $0.contains("node-b") && $0.contains("gone, silent since") && $0.contains(" 0 -") }, "\(gone)")
                #expect(gone.split(separator: "\n").contains { $0.contains("★ node-a") && $0.contains("alive") }, "\(gone)")
                try await session.sendKeys("Escape")
                try await session.waitUntil { !$0.contains("Nodes · ") }

                redis.stop()
                try await session.waitUntil(timeout: .seconds(15)) { $0.contains("redis: Redis") && $0.contains("retrying") }
                // The status line keeps saying so after the notice expires.
                try await session.waitUntil(timeout: .seconds(15)) { $0.contains(" BUS LOST ") || $0.contains(" RECONNECTING ") }
                try await redis.restart()
                try await session.waitUntil(timeout: .seconds(15)) { $0.contains("subscribed to the cluster bus at 127.0.0.1:\(redis.port) again") }
                // A log with calls asks before quitting.
                #expect(try await console.quitConfirmingCalls() == 0)
            }
        }
    }
}
