import DeepstreamBroker
import DeepstreamClient
import DeepstreamProtocol
import Foundation
import Testing

extension BinaryTests {
    @Suite("provide (binary)")
    struct ProvideCommandTests {
        @Test("a provider with a 50% reject rate: every call is still answered, by the other provider when it rejects")
        func rejectRate() async throws {
            let broker = try await TestBroker.start()
            defer { Task { await broker.stop() } }
            let flaky = try await BinaryTests.CallCommandTests.provider(["flaky", "--reject-rate", "0.5", "--reply", #""A""#], url: broker.url)
            let steady = try await BinaryTests.CallCommandTests.provider(["flaky", "--reply", #""B""#], url: broker.url)

            let engine = try ClientEngine(url: broker.url)
            try await engine.login()
            var answers: [String: Int] = [:]
            for index in 0..<60 {
                let result = try await engine.make("flaky", data: .int(index), timeout: .seconds(5))
                answers[result?.stringValue ?? "?", default: 0] += 1
            }
            await engine.close()
            #expect(answers["A", default: 0] + answers["B", default: 0] == 60)
            #expect(answers["?"] == nil)
            #expect(answers["A", default: 0] > 0)
            #expect(answers["B", default: 0] > 0)

            #expect(await BinaryTests.CallCommandTests.stop(flaky) == 0)
            #expect(await BinaryTests.CallCommandTests.stop(steady) == 0)
            let flakyLines = flaky.stdout.split(separator: "\n")
            let rejects = flakyLines.filter { $0.hasSuffix("-> reject") }.count
            let served = flakyLines.filter { $0.hasSuffix(#"-> respond "A""#) }.count
            #expect(rejects > 0, "the 50% provider never rejected: \(flaky.stdout)")
            #expect(served == answers["A"])
            #expect(flaky.stderr.contains("served \(flakyLines.count) calls: \(served) responded, 0 errors, \(rejects) rejected"))
            let steadyLines = steady.stdout.split(separator: "\n")
            #expect(steadyLines.count == answers["B"])
        }

        @Test("--file serves the shipped example file; NAMEs select a subset")
        func providersFile() async throws {
            let broker = try await TestBroker.start()
            defer { Task { await broker.stop() } }
            let example = String(#filePath.split(separator: "/Tests/", omittingEmptySubsequences: false)[0]) + "/Examples/providers.json"
            let provider = try await BinaryTests.CallCommandTests.provider(
                ["--file", example, "add-two-numbers", "greet", "echo"], url: broker.url)
            #expect(provider.stderr.contains("providing add-two-numbers (template {{data.numA + data.numB}}), greet ("))
            let sum = try await ChildProcess.run(["call", "add-two-numbers", #"{"numA": 4, "numB": 7}"#, "--url", broker.url])
            #expect(sum.stdout == "11\n")
            let greeting = try await ChildProcess.run(["call", "greet", #"{"name": "Ada"}"#, "--url", broker.url])
            let value = try JSONValue(parsing: greeting.stdout)
            #expect(value["greeting"] == "Hello, Ada!")
            let notSelected = try await ChildProcess.run(["call", "flaky", "1", "--url", broker.url])
            #expect(notSelected.status == 2)
            let started = ContinuousClock.now
            let echoed = try await ChildProcess.run(["call", "echo", #"{"a": [1, 2]}"#, "--url", broker.url])
            #expect(echoed.stdout == #"{"a":[1,2]}"# + "\n")
            #expect(ContinuousClock.now - started >= .milliseconds(10))
            #expect(await BinaryTests.CallCommandTests.stop(provider) == 0)
            // The example's echo waits 10..50 ms between ACCEPT and RESPONSE.
            let echoLine = try #require(provider.stdout.split(separator: "\n").first { $0.contains(" echo ") })
            let delay = Int(echoLine.split(separator: " ").dropLast(1).last ?? "") ?? -1
            #expect(echoLine.hasSuffix(" ms") && (10...50).contains(delay), "\(echoLine)")

            let unknown = try await ChildProcess.run(["provide", "--file", example, "nope", "--url", broker.url])
            #expect(unknown.status == 65)
            #expect(unknown.stderr == "dsconsole: \(example): no provider named \"nope\"\n")
        }

        @Test("SIGTERM stops a provider cleanly, and a lost server ends it with 69")
        func termination() async throws {
            let broker = try await TestBroker.start()
            let provider = try await BinaryTests.CallCommandTests.provider(["p", "--echo"], url: broker.url)
            provider.send(SIGTERM)
            #expect(await provider.wait(timeout: .seconds(10)) == 0)
            #expect(provider.stderr.contains("stopping (signal 15)"))

            let orphan = try await BinaryTests.CallCommandTests.provider(["p"], url: broker.url)
            await broker.stop()
            #expect(await orphan.wait(timeout: .seconds(10)) == 69)
            #expect(orphan.stderr.contains("dsconsole: lost the connection to \(broker.url)"))
        }
    }
}
