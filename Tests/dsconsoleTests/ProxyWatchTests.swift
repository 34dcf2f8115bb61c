import DeepstreamBroker
import DeepstreamClient
import DeepstreamProtocol
import Foundation
import Testing

extension BinaryTests {
    @Suite("watch --proxy (binary)")
    struct ProxyWatchTests {
        @Test("--proxy prints the proxied traffic as JSON Lines, first line listening; no credential in any line")
        func proxiedTraffic() async throws {
            let broker = try await TestBroker.start {
                $0.authentication = .users(UsersFile(users: [
                    "ann": .init(password: try! PasswordHash(hashing: "ann-secret-pw", iterations: 1000)),
                    "bob": .init(password: try! PasswordHash(hashing: "bob-secret-pw", iterations: 1000)),
                ]))
            }
            let watch = try ChildProcess([
                "watch", "--proxy", broker.url, "--listen", "127.0.0.1:0", "--frames", "--topic-interval", "0.2",
            ])
            #expect(await watch.waitFor("\"event\":\"listening\"", inStderr: false), "watch did not start: \(watch.stderr)")
            let first = try #require(try jsonLines(watch.stdout).first)
            #expect(first["event"] == "listening")
            #expect(first["upstream"] == .string("ws://127.0.0.1:\(broker.port)"))
            let url = try #require(first["url"]?.stringValue)
            #expect(url.hasPrefix("ws://127.0.0.1:") && !url.hasPrefix("ws://127.0.0.1:0/"))

            let provider = try await startEchoProvider(at: url, authData: ["username": "ann", "password": "ann-secret-pw"], name: "p")
            let requestor = try ClientEngine(url: url)
            _ = try await requestor.login(username: "bob", password: "bob-secret-pw")
            #expect(try await requestor.make("p", data: ["x": 1]) == ["x": 1])
            #expect(await watch.waitFor("\"step\":\"responded\"", inStderr: false))
            await requestor.close()
            await provider.close()
            #expect(await watch.waitFor("\"event\":\"disconnected\"", inStderr: false))
            // Waits for a stats line whose 0.2 s window saw the call, not for any stats line: one printed
            // before the call has no RPC rate, and a fast call can end between two lines (this flaked).
            let deadline = ContinuousClock.now + .seconds(15)
            while ContinuousClock.now < deadline, !((try? jsonLines(watch.stdout)) ?? []).contains(where: {
                $0["event"] == "proxyStats" && ($0["messagesPerSecond"]?["RPC"]?.doubleValue ?? 0) > 0
            }) {
                try await Task.sleep(for: .milliseconds(20))
            }
            watch.send(SIGINT)
            #expect(await watch.wait(timeout: .seconds(10)) == 0)
            await broker.stop()

            let lines = try jsonLines(watch.stdout)
            let kinds = lines.compactMap { $0["event"]?.stringValue }
            for expected in ["listening", "connected", "loggedIn", "providerAdded", "call", "frame", "disconnected"] {
                #expect(kinds.contains(expected), "missing \(expected)")
            }
            let users = lines.filter { $0["event"] == "loggedIn" }.compactMap { $0["user"]?.stringValue }
            #expect(users == ["ann", "bob"])
            let steps = lines.filter { $0["event"] == "call" && $0["name"] == "p" }.compactMap { $0["step"]?.stringValue }
            #expect(steps == ["requested", "routed", "accepted", "responded"])
            let routed = try #require(lines.first { $0["step"] == "routed" })
            #expect(routed["provider"] == 1)
            #expect(routed["requestor"] == 2)
            #expect(!watch.stdout.contains("secret-pw"))
            #expect(!watch.stderr.contains("secret-pw"))
            #expect(watch.stderr.contains("proxy: 2 connections"))
            let stats = lines.filter { $0["event"] == "proxyStats" }
            #expect(stats.contains { ($0["messagesPerSecond"]?["RPC"]?.doubleValue ?? 0) > 0 }, "\(stats)")
        }

        @Test("Several --proxy upstreams: one listening line lists every listener; users carry their node")
        func severalUpstreams() async throws {
            let first = try await TestBroker.start()
            let second = try await TestBroker.start()
            let watch = try ChildProcess([
                "watch", "--proxy", first.url, "--proxy", second.url, "--listen", "127.0.0.1:0", "--listen", "127.0.0.1:0",
            ])
            #expect(await watch.waitFor("\"event\":\"listening\"", inStderr: false), "watch did not start: \(watch.stderr)")
            let line = try #require(try jsonLines(watch.stdout).first)
            #expect(line["upstream"] == .string("ws://127.0.0.1:\(first.port)"))
            guard case .array(let listeners)? = line["listeners"] else {
                Issue.record("no listeners array in \(line)")
                return
            }
            #expect(listeners.map { $0["upstream"] } == [
                .string("ws://127.0.0.1:\(first.port)"), .string("ws://127.0.0.1:\(second.port)"),
            ])
            #expect(listeners.first?["url"] == line["url"])
            let secondURL = try #require(listeners.last?["url"]?.stringValue)
            #expect(secondURL != line["url"]?.stringValue)

            // A provider and a requestor behind the second listener: the call is seen with both users
            // named by the second node.
            let result = try await echoCallBetweenTwoClients(
                at: secondURL, name: "p", data: ["x": 1], providerAuth: ["username": "ann"], requestorAuth: ["username": "bob"]
            ) { #expect(await watch.waitFor("\"step\":\"responded\"", inStderr: false)) }
            #expect(result == ["x": 1])
            watch.send(SIGINT)
            #expect(await watch.wait(timeout: .seconds(10)) == 0)
            await first.stop()
            await second.stop()
            let lines = try jsonLines(watch.stdout)
            let users = lines.filter { $0["event"] == "loggedIn" }.compactMap { $0["user"]?.stringValue }
            #expect(users == ["ann@127.0.0.1:\(second.port)", "bob@127.0.0.1:\(second.port)"])
            #expect(lines.contains { $0["event"] == "call" && $0["step"] == "responded" && $0["name"] == "p" })
        }

        @Test("--listen given for some upstreams but not all: usage error 64")
        func listenCountMismatch() async throws {
            let run = try await ChildProcess.run([
                "watch", "--proxy", "ws://127.0.0.1:1", "--proxy", "ws://127.0.0.1:2", "--listen", "127.0.0.1:0",
            ])
            #expect(run.status == 64)
            #expect(run.stderr.contains("one --listen per --proxy"))
        }

        @Test("--proxy to an upstream that is down: clients get close 1014 naming it; the watcher keeps running")
        func upstreamDown() async throws {
            let refusing = RefusingPort()
            let watch = try ChildProcess(["watch", "--proxy", "ws://127.0.0.1:\(refusing.port)", "--listen", "127.0.0.1:0"])
            #expect(await watch.waitFor("\"event\":\"listening\"", inStderr: false), "watch did not start: \(watch.stderr)")
            let url = try #require(try jsonLines(watch.stdout).first?["url"]?.stringValue)
            var options = ClientOptions()
            options.maxReconnectAttempts = 0
            let engine = try ClientEngine(url: url, options: options)
            do {
                _ = try await engine.login()
                Issue.record("login through a proxy without upstream succeeded")
            } catch {}
            await engine.close()
            #expect(await watch.waitFor("unreachable", inStderr: false))
            watch.send(SIGINT)
            #expect(await watch.wait(timeout: .seconds(10)) == 0)
            let reasons = try jsonLines(watch.stdout).filter { $0["event"] == "disconnected" }.compactMap { $0["reason"]?.stringValue }
            #expect(reasons.contains { $0.contains("upstream ws://127.0.0.1:\(refusing.port) unreachable") })
        }

        @Test("--listen must be HOST:PORT; a listen address in use fails with 69")
        func badListen() async throws {
            let bad = try await ChildProcess.run(["watch", "--proxy", "ws://127.0.0.1:1", "--listen", "nonsense"])
            #expect(bad.status == 64)
            let broker = try await TestBroker.start()
            defer { Task { await broker.stop() } }
            let busy = try await ChildProcess.run(["watch", "--proxy", "ws://127.0.0.1:1", "--listen", "127.0.0.1:\(broker.port)"])
            #expect(busy.status == 69)
            #expect(busy.stderr.contains("cannot listen"))
        }
    }
}
