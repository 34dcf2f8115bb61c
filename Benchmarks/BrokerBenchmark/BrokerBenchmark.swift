import DeepstreamBroker
import Foundation
import DeepstreamProtocol
import RPCSteering
import Histogram
import Logging
import NIOCore
import NIOPosix

/// RPC throughput and latency through the embedded broker, next to a plain WebSocket echo server on
/// the same NIO stack under the same load. Run a release build:
/// `swift run -c release BrokerBenchmark [--quick] [--steering]`; `--permissions` measures permission checks
/// instead; `--raw` loads a `dsconsole serve` child process from plain sockets (`RawLoad`); `--steering` loads 16 steering rules that match no call, so every dispatch pays the rule check.
@main
enum BrokerBenchmark {
    struct Scenario {
        var title: String
        var requestors: Int
        var providers: Int
        var window: Int
        var payload: Int
        var calls: Int
        /// Run the broker with one tap subscriber reading every event (the console's situation).
        var tapped = false
        /// Also run the echo floor for this load.
        var withEcho = true
    }

    struct Row {
        var title: String
        var calls: Int
        var seconds: Double
        var histogram: Histogram<UInt64>
    }

    static func main() async throws {
        if CommandLine.arguments.contains("--raw") {
            do {
                try RawLoad.run(Array(CommandLine.arguments.dropFirst()))
            } catch {
                print("broker-benchmark: \(error)")
                exit(1)
            }
            return
        }
        if CommandLine.arguments.contains("--permissions") {
            try PermissionsBenchmark.run()
            return
        }
        let quick = CommandLine.arguments.contains("--quick")
        let scale = quick ? 10 : 1
        let scenarios = [
            Scenario(title: "1 req / 1 prov, 1 in flight, 64 B", requestors: 1, providers: 1, window: 1, payload: 64, calls: 20_000 / scale),
            Scenario(title: "1 req / 1 prov, 64 in flight, 64 B", requestors: 1, providers: 1, window: 64, payload: 64, calls: 200_000 / scale),
            Scenario(title: "1 req / 1 prov, 64 in flight, 16 KiB", requestors: 1, providers: 1, window: 64, payload: 16_384, calls: 40_000 / scale),
            Scenario(title: "4 req x 4 prov, 16 in flight each, 64 B", requestors: 4, providers: 4, window: 16, payload: 64, calls: 50_000 / scale),
            Scenario(title: "1 req / 1 prov, 64 in flight, 64 B, tapped", requestors: 1, providers: 1, window: 64, payload: 64, calls: 200_000 / scale, tapped: true, withEcho: false),
        ]
        let clients = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var rows: [Row] = []
        for scenario in scenarios {
            rows.append(try await runBroker(scenario, clients: clients))
            if scenario.withEcho { rows.append(try await runEcho(scenario, clients: clients)) }
        }
        try await clients.shutdownGracefully()
        print("")
        print(pad("scenario", 52) + pad("calls", 9, right: true) + pad("calls/s", 11, right: true)
            + pad("p50 µs", 9, right: true) + pad("p99 µs", 9, right: true) + pad("max µs", 9, right: true))
        for row in rows {
            print(pad(row.title, 52) + pad("\(row.calls)", 9, right: true)
                + pad(String(Int(Double(row.calls) / row.seconds)), 11, right: true)
                + pad("\(row.histogram.valueAtPercentile(50))", 9, right: true)
                + pad("\(row.histogram.valueAtPercentile(99))", 9, right: true)
                + pad("\(row.histogram.max)", 9, right: true))
        }
    }

    static func jsonString(ofSize size: Int) -> String {
        "\"" + String(repeating: "x", count: max(0, size - 2)) + "\""
    }

    static func runBroker(_ scenario: Scenario, clients: EventLoopGroup) async throws -> Row {
        var configuration = BrokerConfiguration()
        configuration.port = 0
        configuration.rpc.ackTimeout = .seconds(30)
        configuration.rpc.responseTimeout = .seconds(60)
        if CommandLine.arguments.contains("--steering") {
            configuration.steering = SteeringRules((0..<16).map { index in
                SteeringRule(match: GlobPattern("other-\(index).*"), action: .reject)
            })
        }
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let broker = Broker(configuration: configuration, logger: logger)
        let reader: Task<Int, Never>? = scenario.tapped ? {
            let events = broker.tap(bufferingNewest: 100_000)
            return Task { var count = 0; for await _ in events { count += 1 }; return count }
        }() : nil
        let port = try await broker.start().port!
        let data = jsonString(ofSize: scenario.payload)
        var channels: [Channel] = []
        for _ in 0..<scenario.providers {
            let loop = clients.next()
            let ready = loop.makePromise(of: Void.self)
            channels.append(try await BenchConnection.open(port: port, on: loop) {
                ProviderRole(names: ["bench"], responseData: data, ready: ready)
            })
            try await ready.futureResult.get()
        }
        var requestors: [(Channel, EventLoopFuture<Histogram<UInt64>>)] = []
        let perRequestor = scenario.calls / scenario.requestors
        for _ in 0..<scenario.requestors {
            let loop = clients.next()
            let ready = loop.makePromise(of: Void.self)
            let done = loop.makePromise(of: Histogram<UInt64>.self)
            let channel = try await BenchConnection.open(port: port, on: loop) {
                RequestorRole(name: "bench", requestData: data, window: scenario.window, total: perRequestor, ready: ready, done: done)
            }
            try await ready.futureResult.get()
            requestors.append((channel, done.futureResult))
        }
        let start = NIODeadline.now()
        for (channel, _) in requestors {
            try await channel.eventLoop.submit {
                let role = try channel.pipeline.syncOperations.handler(type: BenchConnection.self).role as! RequestorRole
                role.go()
            }.get()
        }
        var histogram = Histogram<UInt64>(highestTrackableValue: 60_000_000)
        for (_, done) in requestors { histogram.add(try await done.get()) }
        let seconds = Double((NIODeadline.now() - start).nanoseconds) / 1e9
        for channel in channels + requestors.map(\.0) { try? await channel.close().get() }
        let dropped = broker.droppedTapEvents
        await broker.shutdown(gracePeriod: .milliseconds(10))
        if let reader {
            let seen = await reader.value
            print("tap: \(seen) events read, \(dropped) dropped")
        }
        return Row(title: "broker: " + scenario.title, calls: perRequestor * scenario.requestors, seconds: seconds, histogram: histogram)
    }

    static func runEcho(_ scenario: Scenario, clients: EventLoopGroup) async throws -> Row {
        let serverGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let server = try await EchoServer.start(on: serverGroup)
        let port = server.localAddress!.port!
        // Same bytes as the broker's REQUEST frame for this payload.
        let frameSize = BinaryCodec.encodedSize(of: .rpc(RPCMessage(
            action: .request, data: jsonString(ofSize: scenario.payload), correlationId: "c12345", name: "bench")))
        let perClient = scenario.calls / scenario.requestors
        var runs: [(Channel, EventLoopFuture<Histogram<UInt64>>)] = []
        for _ in 0..<scenario.requestors {
            let loop = clients.next()
            let done = loop.makePromise(of: Histogram<UInt64>.self)
            let channel = try await BenchConnection.open(port: port, on: loop) {
                EchoClientRole(frameSize: frameSize, window: scenario.window, total: perClient, done: done)
            }
            runs.append((channel, done.futureResult))
        }
        let start = NIODeadline.now()
        for (channel, _) in runs {
            try await channel.eventLoop.submit {
                let role = try channel.pipeline.syncOperations.handler(type: BenchConnection.self).role as! EchoClientRole
                role.go()
            }.get()
        }
        var histogram = Histogram<UInt64>(highestTrackableValue: 60_000_000)
        for (_, done) in runs { histogram.add(try await done.get()) }
        let seconds = Double((NIODeadline.now() - start).nanoseconds) / 1e9
        for (channel, _) in runs { try? await channel.close().get() }
        try await server.close().get()
        try await serverGroup.shutdownGracefully()
        return Row(title: "echo:   " + scenario.title, calls: perClient * scenario.requestors, seconds: seconds, histogram: histogram)
    }

    static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let padding = String(repeating: " ", count: max(0, width - text.count))
        return right ? padding + text : text
    }
}
