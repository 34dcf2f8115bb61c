import DeepstreamProtocol
import Foundation
import NIOCore
import NIOPosix

/// Denial-of-service figures for issue 9: how long a well-behaved client's RPC waits while another
/// connection sends one hostile frame to `dsconsole serve`.
///
/// ```
/// swift build -c release --product dsconsole --product attack-benchmark
/// .build/release/attack-benchmark [--dsconsole PATH] [--repeat N] [--provide]
/// ```
/// It starts `PATH serve --port 0` (default `.build/release/dsconsole`) on 127.0.0.1, a steady
/// requestor + provider pair calling one RPC at a time, and fires each attack `N` times (default 5)
/// from a fresh connection. With `--provide`, the steady provider and the attacks' target are one
/// `dsconsole provide --echo` process, so the attacks also hit the client engine. Everything stops by
/// itself.
@main
enum AttackBenchmark {
    static let steadyName = "steady.echo"

    struct Row {
        var title: String
        var bytes: Int
        var answeredMs: [Double]
        var overlapping: [SteadyCaller.Call]
    }

    static func main() async throws {
        let arguments = CommandLine.arguments
        func value(_ flag: String) -> String? {
            arguments.firstIndex(of: flag).flatMap { arguments.indices.contains($0 + 1) ? arguments[$0 + 1] : nil }
        }
        let binary = value("--dsconsole") ?? ".build/release/dsconsole"
        let repetitions = max(1, Int(value("--repeat") ?? "") ?? 5)
        let useProvideProcess = arguments.contains("--provide")

        let serve = try ChildProcess(binary, ["serve", "--port", "0", "--log-level", "error"])
        defer { serve.stop() }
        let line = try serve.readLine(containing: "listening on ws://", timeout: 20)
        guard let port = Self.port(in: line) else { throw Failure("no port in: \(line)") }
        print("dsconsole serve (pid \(serve.pid)) on 127.0.0.1:\(port)")

        let steadyLoop = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let attackLoop = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var provide: ChildProcess?
        defer { provide?.stop() }
        if useProvideProcess {
            provide = try ChildProcess(
                binary, ["provide", steadyName, Attack.attackName, "--echo", "--url", "127.0.0.1:\(port)"],
                discardOutput: true)
            print("dsconsole provide (pid \(provide!.pid)) serves \(steadyName) and \(Attack.attackName)")
        } else {
            _ = try await WireClient.openProvider(
                names: [steadyName], reply: "\"pong\"", port: port, on: steadyLoop.next())
            _ = try await WireClient.openProvider(
                names: [Attack.attackName], reply: "\"ok\"", port: port, on: attackLoop.next())
        }
        let requestor = try await WireClient.openLoggedIn(port: port, wire: .binary, on: steadyLoop.next())
        if useProvideProcess { try await waitForProvider(requestor: requestor, port: port, loop: attackLoop.next()) }
        let caller = SteadyCaller(client: requestor, name: steadyName)
        try await caller.start()

        try await Task.sleep(for: .seconds(1))
        let quietStart = NIODeadline.now().uptimeNanoseconds
        try await Task.sleep(for: .seconds(1))
        let quietEnd = NIODeadline.now().uptimeNanoseconds
        var rows: [Row] = []
        let baseline = try await caller.calls().filter { $0.start >= quietStart && $0.end <= quietEnd }
        rows.append(Row(title: "no attack (1 s of steady calls)", bytes: 0, answeredMs: [], overlapping: baseline))

        for attack in Attack.all() {
            var row = Row(title: "\(attack.wire.rawValue): \(attack.title)", bytes: attack.frame.readableBytes, answeredMs: [], overlapping: [])
            for _ in 0..<repetitions {
                let (start, end) = try await fire(attack, port: port, loop: attackLoop.next())
                try await Task.sleep(for: .milliseconds(200))
                let calls = try await caller.calls()
                row.answeredMs.append(Double(end - start) / 1e6)
                row.overlapping += calls.filter { $0.start <= end && $0.end >= start }
            }
            rows.append(row)
            print("  done: \(row.title)")
        }
        let all = try await caller.stop()
        try await steadyLoop.shutdownGracefully()
        try await attackLoop.shutdownGracefully()

        print("")
        print("Steady RPC wait (ms) while each attack frame was sent and handled (\(repetitions) frames per attack, provider: \(useProvideProcess ? "dsconsole provide" : "raw NIO client")):")
        print(pad("attack", 62) + pad("frame B", 9, right: true) + pad("answer ms", 11, right: true)
            + pad("calls", 7, right: true) + pad("p99 ms", 9, right: true) + pad("max ms", 9, right: true) + pad("failed", 8, right: true))
        for row in rows {
            let waits = row.overlapping.map(\.milliseconds).sorted()
            let p99 = waits.isEmpty ? 0 : waits[min(waits.count - 1, Int((Double(waits.count) * 0.99).rounded(.up)) - 1)]
            let answered = row.answeredMs.isEmpty ? "-" : format(row.answeredMs.max()!)
            print(pad(row.title, 62) + pad(row.bytes == 0 ? "-" : "\(row.bytes)", 9, right: true) + pad(answered, 11, right: true)
                + pad("\(waits.count)", 7, right: true) + pad(format(p99), 9, right: true)
                + pad(format(waits.last ?? 0), 9, right: true) + pad("\(row.overlapping.filter(\.failed).count)", 8, right: true))
        }
        let worst = rows.dropFirst().flatMap(\.overlapping).map(\.milliseconds).max() ?? 0
        print("")
        print("steady calls in total: \(all.count), failed: \(all.filter(\.failed).count); worst wait during an attack: \(format(worst)) ms (target < 50 ms)")
    }

    /// Sends one attack frame from a fresh connection; returns when it was written and when the
    /// broker's first answer (or the socket's close) reached the attacker, in uptime nanoseconds.
    static func fire(_ attack: Attack, port: Int, loop: EventLoop) async throws -> (UInt64, UInt64) {
        let client = attack.logsInFirst
            ? try await WireClient.openLoggedIn(port: port, wire: attack.wire, on: loop)
            : try await WireClient.open(port: port, wire: attack.wire, on: loop)
        let answered = loop.makePromise(of: (UInt64, UInt64).self)
        try await loop.submit {
            var start: UInt64 = 0
            var done = false
            func send() {
                start = NIODeadline.now().uptimeNanoseconds
                client.sendRaw(attack.frame)
            }
            client.onMessage = { message in
                guard start != 0 else {
                    // AUTH attacks go out as the login data, right after the broker's ACCEPT.
                    if case .connection(let m)? = message, m.action == .accept { send() }
                    return
                }
                guard !done else { return }
                done = true
                answered.succeed((start, NIODeadline.now().uptimeNanoseconds))
            }
            if attack.logsInFirst { send() } else { client.send(.connection(ConnectionMessage(action: .challenge))) }
        }.get()
        let timeout = loop.scheduleTask(in: .seconds(10)) { answered.fail(Failure("no answer to \(attack.title) within 10 s")) }
        let window = try await answered.futureResult.get()
        timeout.cancel()
        try await loop.submit { client.close() }.get()
        return window
    }

    /// Waits until the `dsconsole provide` process has registered the names.
    static func waitForProvider(requestor: WireClient, port: Int, loop: EventLoop) async throws {
        let probe = try await WireClient.openLoggedIn(port: port, wire: .binary, on: loop)
        defer { loop.execute { probe.close() } }
        for attempt in 0..<100 {
            let answer = loop.makePromise(of: Bool.self)
            try await loop.submit {
                probe.onMessage = { message in
                    guard case .rpc(let m)? = message, m.correlationId == "probe\(attempt)" else { return }
                    if m.action == .response { answer.succeed(true) } else if m.action != .accept { answer.succeed(false) }
                }
                probe.send(.rpc(RPCMessage(action: .request, data: "1", correlationId: "probe\(attempt)", name: Attack.attackName)))
            }.get()
            if try await answer.futureResult.get() { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw Failure("dsconsole provide did not come up")
    }

    static func port(in line: String) -> Int? {
        guard let range = line.range(of: "ws://127.0.0.1:") else { return nil }
        return Int(line[range.upperBound...].prefix { $0.isNumber })
    }

    static func format(_ value: Double) -> String { String(format: "%.2f", value) }

    static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let padding = String(repeating: " ", count: max(0, width - text.count))
        return right ? padding + text : text + padding
    }
}

struct Failure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
