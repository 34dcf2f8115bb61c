import DeepstreamBroker
import DeepstreamProtocol
import Foundation
import Testing

/// `dsconsole call` and `dsconsole provide`, end to end: the built binary against an embedded broker.
extension BinaryTests {
    @Suite("call and provide (binary)")
    struct CallCommandTests {
        /// Starts `dsconsole provide ARGS --url URL` and waits until the server acknowledged every name.
        static func provider(_ arguments: [String], url: String) async throws -> ChildProcess {
            let child = try ChildProcess(["provide"] + arguments + ["--url", url])
            let ready = await child.waitFor("dsconsole: providing ")
            try #require(ready, "provider did not start: \(child.stderr)")
            return child
        }

        /// Stops a provider with SIGINT and returns its exit code and summary.
        static func stop(_ child: ChildProcess) async -> Int32? {
            child.send(SIGINT)
            return await child.wait(timeout: .seconds(10))
        }

        @Test("the seed example: add-two-numbers with a template file, data as an argument and from stdin")
        func seedExample() async throws {
            let broker = try await TestBroker.start()
            defer { Task { await broker.stop() } }
            let template = try temporaryFile(#""{{data.numA + data.numB}}""#)
            let provider = try await Self.provider(["add-two-numbers", "--template", template], url: broker.url)

            let call = try await ChildProcess.run(["call", "add-two-numbers", #"{"numA": 4, "numB": 7}"#, "--url", broker.url])
            #expect(call.status == 0)
            #expect(call.stdout == "11\n")
            #expect(call.stderr == "")

            let piped = try await ChildProcess.run(
                ["call", "add-two-numbers", "-", "--url", broker.url], stdin: #"{"numA": 40, "numB": 2}"#)
            #expect(piped.status == 0)
            #expect(piped.stdout == "42\n")

            let missing = try await ChildProcess.run(["call", "add-two-numbers", #"{"numA": 4}"#, "--url", broker.url])
            #expect(missing.status == 1)
            #expect(missing.stderr == #"{"templateError":"data has no member 'numB' at column 20 of \"{{data.numA + data.numB}}\""}"# + "\n")

            #expect(await Self.stop(provider) == 0)
            let lines = provider.stdout.split(separator: "\n")
            #expect(lines.count == 3)
            #expect(lines.first?.contains(#"{"numA":4,"numB":7} -> respond 11"#) == true)
            #expect(provider.stderr.contains("served 3 calls: 2 responded, 1 errors, 0 rejected"))
        }

        @Test("exit codes and stderr for every failure kind")
        func failureKinds() async throws {
            let broker = try await TestBroker.start { config in
                config.rpc.ackTimeout = .milliseconds(200)
                config.rpc.responseTimeout = .milliseconds(400)
            }
            defer { Task { await broker.stop() } }
            let failing = try await Self.provider(["fails", "--error", #"{"code": 7}"#], url: broker.url)
            let hanging = try await Self.provider(["hangs", "--never-accept"], url: broker.url)
            let mute = try await Self.provider(["mute", "--never-respond"], url: broker.url)
            let slow = try await Self.provider(["slow", "--delay", "3000"], url: broker.url)
            let rejecting = try await Self.provider(["picky", "--reject"], url: broker.url)
            let erratic = try await Self.provider(["erratic", "--echo", "--error-rate", "1"], url: broker.url)

            let cases: [(arguments: [String], status: Int32, stderr: String)] = [
                (["call", "fails"], 1, #"{"code":7}"#),
                (["call", "nobody"], 2, "NO_RPC_PROVIDER"),
                (["call", "picky", "1"], 2, "NO_RPC_PROVIDER"),
                (["call", "hangs"], 3, "ACCEPT_TIMEOUT"),
                (["call", "mute"], 4, "RESPONSE_TIMEOUT"),
                (["call", "slow", "--timeout", "0.2"], 6, "timeout: no answer within 0.2 seconds"),
                (["call", "erratic", "5"], 1, #""injected error (errorRate)""#),
            ]
            for (arguments, status, stderr) in cases {
                let result = try await ChildProcess.run(arguments + ["--url", broker.url])
                #expect(result.status == status, "\(arguments)")
                #expect(result.stderr == stderr + "\n", "\(arguments)")
                #expect(result.stdout == "", "\(arguments)")
            }
            for child in [failing, hanging, mute, slow, rejecting, erratic] { #expect(await Self.stop(child) == 0) }
            #expect(rejecting.stdout.contains("picky") && rejecting.stdout.contains("-> reject"))
        }

        @Test("a request over the server's maxMessageSize says so (1009), and --max-message-size refuses it before sending")
        func messageTooBig() async throws {
            let broker = try await TestBroker.start { $0.maxMessageSize = 1024 }
            defer { Task { await broker.stop() } }
            let echo = try await Self.provider(["echo", "--echo"], url: broker.url)
            // About 5 KB of JSON on stdin, as in the bug report.
            let payload = "[" + Array(repeating: #""0123456789abcdefghijklmnopqrstuvwxyz0123456789abc""#, count: 100).joined(separator: ",") + "]"
            #expect(payload.utf8.count > 5000)

            let refused = try await ChildProcess.run(["call", "echo", "-", "--url", broker.url], stdin: payload)
            #expect(refused.status == 7)
            #expect(refused.stdout == "")
            let size = try #require(Self.requestSize(in: refused.stderr), "stderr: \(refused.stderr)")
            #expect(size > 5000)
            #expect(refused.stderr == "message too big: the request is \(Self.grouped(size)) bytes and the server closed the connection with 1009 (its maxMessageSize is smaller)\n")

            let local = try await ChildProcess.run(
                ["call", "echo", "-", "--max-message-size", "1024", "--url", broker.url], stdin: payload)
            #expect(local.status == 7)
            // The correlation id's length varies by a few characters between calls.
            let localSize = try #require(Self.requestSize(in: local.stderr), "stderr: \(local.stderr)")
            #expect(abs(localSize - size) < 8)
            #expect(local.stderr == "message too big: the request is \(Self.grouped(localSize)) bytes, over the client's maxMessageSize of 1,024 bytes; it was not sent\n")

            // Small requests still go through with the limit set; a limit below 64 bytes is a usage error.
            let small = try await ChildProcess.run(["call", "echo", "[1,2]", "--max-message-size", "1024", "--url", broker.url])
            #expect(small.status == 0)
            #expect(small.stdout == "[1,2]\n")
            let tiny = try await ChildProcess.run(["call", "echo", "--max-message-size", "10", "--url", broker.url])
            #expect(tiny.status == 64)
            #expect(tiny.stderr.contains("--max-message-size must be at least 64 bytes"))
            #expect(await Self.stop(echo) == 0)
        }

        /// The byte count in "the request is 5,012 bytes".
        static func requestSize(in text: String) -> Int? {
            guard let start = text.range(of: "the request is ")?.upperBound,
                let end = text[start...].range(of: " bytes")?.lowerBound
            else { return nil }
            return Int(text[start..<end].replacingOccurrences(of: ",", with: ""))
        }

        /// `5012` as `5,012`.
        static func grouped(_ value: Int) -> String {
            let digits = Array(String(value))
            var out = ""
            for (index, digit) in digits.enumerated() {
                if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
                out.append(digit)
            }
            return out
        }

        @Test("bad input, unreachable servers and usage errors fail fast with one line")
        func badInput() async throws {
            let refusing = RefusingPort()
            let port = refusing.port
            let cases: [(arguments: [String], status: Int32, contains: String)] = [
                (["call", "x", "{bad"], 65, "dsconsole: the request data is not valid JSON: unexpected character 'b' at line 1, column 2"),
                (["call", "x", "--url", "127.0.0.1:\(port)"], 69, "dsconsole: cannot connect to ws://127.0.0.1:\(port)/deepstream: connection refused"),
                (["call", "x", "--url", "http://example.com"], 64, "dsconsole: bad --url http://example.com: unsupported URL scheme 'http'"),
                (["call", "x", "--auth-json", "[1]", "--url", "127.0.0.1:\(port)"], 65, "dsconsole: --auth-json must be a JSON object"),
                (["call"], 64, "Missing expected argument '<name>'"),
                (["call", "x", "--timeout", "0"], 64, "--timeout must be positive"),
                (["provide", "x", "--reject-rate", "1.5"], 64, "--reject-rate must be within 0…1, got 1.5"),
                (["provide", "x", "--echo", "--reject"], 64, "give at most one of"),
                (["provide", "x", "--delay", "9..1"], 64, #"--delay: the range "9..1" is empty (9 > 1)"#),
                (["provide", "--file", "/nonexistent/providers.json"], 66, "dsconsole: cannot read providers file /nonexistent/providers.json: No such file or directory"),
                (["bench", "--url", "127.0.0.1:\(port)", "--duration", "1"], 69, "connection refused"),
            ]
            for (arguments, status, contains) in cases {
                let started = ContinuousClock.now
                let result = try await ChildProcess.run(arguments, timeout: .seconds(10))
                #expect(result.status == status, "\(arguments): \(result.stderr)")
                #expect(result.stderr.contains(contains), "\(arguments): \(result.stderr)")
                #expect(ContinuousClock.now - started < .seconds(5), "\(arguments) took too long")
                if status != 64 {
                    #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
                }
            }
            // A server that accepts TCP connections but never answers: the login deadline ends the wait.
        let silent = try SilentListener()
        let started = ContinuousClock.now
        let mute = try await ChildProcess.run(
            ["call", "x", "--url", "127.0.0.1:\(silent.port)", "--connect-timeout", "0.5"], timeout: .seconds(10))
        #expect(mute.status == 69)
        #expect(mute.stderr.hasPrefix("dsconsole: "), "\(mute.stderr)")
        #expect(mute.stderr.split(separator: "\n").count == 1, "\(mute.stderr)")
        #expect(ContinuousClock.now - started < .seconds(4))

        let badFile = try temporaryFile(#"{"providers": [{"name": "a", "echo": true, "rejectRate": 2}]}"#)
            let result = try await ChildProcess.run(["provide", "--file", badFile])
            #expect(result.status == 65)
            #expect(result.stderr == "dsconsole: \(badFile): providers[0] \"a\": rejectRate: expected a number within 0…1, got 2\n")
            withExtendedLifetime(refusing) {}
        }

        @Test("login: a wrong password exits 77, the right one (from the environment) logs in")
        func login() async throws {
            let users = UsersFile(users: [
                "alice": UsersFile.User(password: try PasswordHash(hashing: "secret", iterations: 1000)),
            ])
            let broker = try await TestBroker.start { $0.authentication = .users(users) }
            defer { Task { await broker.stop() } }
            let wrong = try await ChildProcess.run(
                ["call", "x", "--user", "alice", "--url", broker.url], environment: ["DSCONSOLE_PASSWORD": "nope"])
            #expect(wrong.status == 77)
            #expect(wrong.stderr.hasPrefix("dsconsole: login to \(broker.url) failed: login rejected"))
            let anonymous = try await ChildProcess.run(["call", "x", "--url", broker.url])
            #expect(anonymous.status == 77)
            let right = try await ChildProcess.run(
                ["call", "x", "--user", "alice", "--url", broker.url], environment: ["DSCONSOLE_PASSWORD": "secret"])
            #expect(right.status == 2)
            #expect(right.stderr == "NO_RPC_PROVIDER\n")
            let json = try await ChildProcess.run(
                ["call", "x", "--auth-json", #"{"username": "alice", "password": "secret"}"#, "--url", broker.url])
            #expect(json.status == 2)
        }
    }
}
