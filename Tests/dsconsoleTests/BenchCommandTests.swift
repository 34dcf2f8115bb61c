import DeepstreamBroker
import DeepstreamProtocol
import Foundation
import Testing

extension BinaryTests {
    @Suite("bench (binary)")
    struct BenchCommandTests {
        @Test("--json report: counts add up and match what the broker routed")
        func countsAddUp() async throws {
            let broker = try await TestBroker.start()
            defer { Task { await broker.stop() } }
            let tap = broker.broker.tap(bufferingNewest: 1_000_000)
            let result = try await ChildProcess.run(
                ["bench", "--url", broker.url, "--requestors", "2", "--providers", "2", "--inflight", "4",
                 "--duration", "1.5", "--payload", "64", "--json"], timeout: .seconds(30))
            #expect(result.status == 0, "\(result.stderr)")
            let report = try JSONValue(parsing: result.stdout)
            let calls = try #require(report["calls"]?.intValue)
            let ok = try #require(report["ok"]?.intValue)
            let failed = try #require(report["failed"]?.intValue)
            #expect(calls > 0)
            #expect(ok + failed == calls)
            let errors = try #require(report["errors"])
            guard case .object(let errorCounts) = errors else { Issue.record("errors is not an object"); return }
            #expect(errorCounts.members.reduce(0) { $0 + ($1.value.intValue ?? 0) } == failed)
            #expect(report["requestors"] == 2 && report["providers"] == 2 && report["inflight"] == 4 && report["payloadBytes"] == 64)
            let latency = try #require(report["latencyMs"])
            let values = try ["p50", "p90", "p99", "p99.9", "max"].map { try #require(latency[$0]?.doubleValue) }
            #expect(values == values.sorted())
            #expect(values[0] > 0)
            let throughput = try #require(report["throughputPerSecond"]?.doubleValue)
            let elapsed = try #require(report["elapsedSeconds"]?.doubleValue)
            #expect(abs(throughput - Double(calls) / elapsed) < 0.1 * throughput + 1)
            #expect(result.stderr.contains(" calls "), "no progress line: \(result.stderr)")

            // Every successful call was routed and answered by the broker exactly once.
            await broker.stop()
            var responded = 0
            for await event in tap {
                if case .call(let call) = event, call.name == "dsconsole.bench", case .responded = call.step { responded += 1 }
            }
            #expect(responded == ok)
        }

        @Test("open loop with --rate, text report, and --no-providers with nobody providing")
        func rateAndText() async throws {
            let broker = try await TestBroker.start()
            defer { Task { await broker.stop() } }
            let paced = try await ChildProcess.run(
                ["bench", "--url", broker.url, "--rate", "100", "--inflight", "2", "--duration", "1"], timeout: .seconds(30))
            #expect(paced.status == 0, "\(paced.stderr)")
            let lines = paced.stdout.split(separator: "\n")
            #expect(lines.first?.hasPrefix("bench dsconsole.bench: 1 requestor × 2 in flight, 100.0 calls/s") == true)
            let callsLine = try #require(lines.first { $0.hasPrefix("calls ") })
            let total = Int(callsLine.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? 0
            #expect((60...110).contains(total), "paced at 100/s for 1 s: \(total)")
            #expect(lines.contains { $0.hasPrefix("latency ms  p50 ") && $0.contains("p99.9") && $0.contains("max") })

            let orphan = try await ChildProcess.run(
                ["bench", "--url", broker.url, "--no-providers", "--duration", "0.5", "--json"], timeout: .seconds(30))
            #expect(orphan.status == 7)
            let report = try JSONValue(parsing: orphan.stdout)
            #expect(report["ok"] == 0)
            #expect((report["errors"]?["NO_RPC_PROVIDER"]?.intValue ?? 0) == report["calls"]?.intValue)
            #expect(orphan.stderr.hasSuffix("dsconsole: no call succeeded\n"))
        }
    }
}
