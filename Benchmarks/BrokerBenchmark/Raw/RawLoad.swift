import DeepstreamProtocol
import Foundation
import Histogram

#if canImport(Glibc)
import Glibc
#endif

/// `broker-benchmark --raw`: the broker in its own process (`dsconsole serve`, started as a child, or
/// one already running with `--port P --pid PID`), loaded by requestors and providers on plain sockets
/// in this process: pre-encoded frames, one `write` per socket per read batch, one thread. Prints
/// RPC/s, latency, errors, the broker's CPU per RPC and peak RSS from `/proc`, this generator's own
/// CPU, and a one-at-a-time p50. With `--proxy-pid PID` (the port then being a proxy's, e.g.
/// `dsconsole watch --proxy`) it also prints that process's CPU per RPC and its ratio to the broker's.
enum RawLoad {
    struct Options {
        var dsconsole = ".build/release/dsconsole"
        var port: Int?
        var pid: Int32?
        /// A proxy between this generator and the broker whose CPU is reported beside the broker's.
        var proxyPID: Int32?
        var inflight = 256
        var requestors = 1
        var providers = 1
        var payload = 64
        var duration = 10.0
        var warmup = 2.0
        var serial = 5.0
        var serveArguments: [String] = []
    }

    struct PhaseResult {
        var counters: PhaseCounters
        var seconds: Double
        var brokerCPU: Double?
        var proxyCPU: Double?
        var ownCPU: Double
    }

    static let usage = """
        usage: broker-benchmark --raw [--dsconsole PATH | --port P --pid PID [--proxy-pid PID]]
                                      [--inflight 256] [--requestors 1]
                                      [--providers 1] [--payload 64] [--duration 10] [--warmup 2] [--serial 5]
                                      [--rules FILE]
        """

    static func parse(_ arguments: [String]) throws -> Options {
        var options = Options()
        var index = 0
        func value() throws -> String {
            index += 1
            guard index < arguments.count else { throw Failure("\(arguments[index - 1]) needs a value\n\(usage)") }
            return arguments[index]
        }
        func number(_ text: String) throws -> Double {
            guard let number = Double(text), number >= 0 else { throw Failure("not a number: \(text)\n\(usage)") }
            return number
        }
        while index < arguments.count {
            switch arguments[index] {
            case "--raw": break
            case "--dsconsole": options.dsconsole = try value()
            case "--port": options.port = Int(try number(value()))
            case "--pid": options.pid = Int32(try number(value()))
            case "--proxy-pid": options.proxyPID = Int32(try number(value()))
            case "--inflight": options.inflight = max(1, Int(try number(value())))
            case "--requestors": options.requestors = max(1, min(99, Int(try number(value()))))
            case "--providers": options.providers = max(1, Int(try number(value())))
            case "--payload": options.payload = max(2, Int(try number(value())))
            case "--duration": options.duration = try number(value())
            case "--warmup": options.warmup = try number(value())
            case "--serial": options.serial = try number(value())
            case "--rules": options.serveArguments += ["--rules", try value()]
            default: throw Failure("unknown argument \(arguments[index])\n\(usage)")
            }
            index += 1
        }
        if options.proxyPID != nil, options.port == nil || options.pid == nil {
            throw Failure("--proxy-pid needs --port (the proxy's) and --pid (the broker's)\n\(usage)")
        }
        guard options.inflight / options.requestors <= 9_999 else { throw Failure("at most 9999 in flight per requestor") }
        return options
    }

    static func run(_ arguments: [String]) throws {
        let options = try parse(arguments)
        var served: ServedBroker?
        let port: Int
        let pid: Int32?
        if let given = options.port {
            port = given
            pid = options.pid
        } else {
            let broker = try ServedBroker(executable: options.dsconsole, extraArguments: options.serveArguments)
            served = broker
            port = broker.port
            pid = broker.pid
        }
        defer { served?.stop() }
        let payload = "\"" + String(repeating: "x", count: options.payload - 2) + "\""
        let name = "bench"
        var providers: [RawProvider] = []
        for _ in 0..<options.providers {
            let connection = try RawConnection(port: port)
            try login(connection)
            try connection.exchange([RawConnection.frame(.rpc(RPCMessage(action: .provide, correlationId: "p", names: [name])))]) {
                if case .rpc(let m) = $0 { return m.action == .provide && m.isAck == true }
                return false
            }
            providers.append(RawProvider(connection: connection, name: name, payload: payload))
        }
        var requestors: [RawRequestor] = []
        for index in 0..<options.requestors {
            let connection = try RawConnection(port: port)
            try login(connection)
            requestors.append(RawRequestor(
                connection: connection, index: index, window: options.inflight / options.requestors, name: name,
                payload: payload))
        }
        let through = options.proxyPID.map { "through proxy pid \($0) " } ?? ""
        print("raw load: broker pid \(pid.map(String.init) ?? "?") \(through)on port \(port); \(options.requestors) requestor(s) x "
            + "\(options.inflight / options.requestors) in flight, \(options.providers) provider(s), \(options.payload) B payloads, "
            + "\(options.duration) s after \(options.warmup) s warm-up")
        let loadBefore = ProcessMeter.loadAverage()
        let loaded = runPhase(requestors: requestors, providers: providers, warmup: options.warmup, duration: options.duration, brokerPID: pid,
            proxyPID: options.proxyPID)
        let loadAfter = ProcessMeter.loadAverage()
        report(loaded, title: "load", loadBefore: loadBefore, loadAfter: loadAfter)
        if options.serial > 0 {
            let connection = try RawConnection(port: port)
            try login(connection)
            let single = RawRequestor(connection: connection, index: 99, window: 1, name: name, payload: payload)
            let before = ProcessMeter.loadAverage()
            let serial = runPhase(requestors: [single], providers: providers, warmup: 1, duration: options.serial, brokerPID: pid,
                proxyPID: options.proxyPID)
            report(serial, title: "one at a time", loadBefore: before, loadAfter: ProcessMeter.loadAverage())
        }
        if let pid, let peak = ProcessMeter.statusKilobytes("VmHWM", of: pid) {
            print("broker peak RSS (VmHWM): \(String(format: "%.1f", Double(peak) / 1024)) MiB")
        }
    }

    private static func login(_ connection: RawConnection) throws {
        try connection.exchange([RawConnection.frame(.connection(ConnectionMessage(action: .challenge)))]) {
            if case .connection(let m) = $0 { return m.action == .accept }
            return false
        }
        try connection.exchange([RawConnection.frame(.auth(AuthMessage(action: .request, data: "{}")))]) {
            if case .auth(let m) = $0 { return m.action == .authSuccessful }
            return false
        }
    }

    /// Runs the requestors until `warmup + duration` seconds have passed, counting only the last
    /// `duration`, then lets the calls in flight finish (at most 3 s).
    static func runPhase(
        requestors: [RawRequestor], providers: [RawProvider], warmup: Double, duration: Double, brokerPID: Int32?,
        proxyPID: Int32? = nil
    ) -> PhaseResult {
        let connections = providers.map(\.connection) + requestors.map(\.connection)
        var descriptors = connections.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
        var counters = PhaseCounters()
        let begin = RawClock.nanoseconds()
        let measureFrom = begin + UInt64(warmup * 1e9)
        let measureUntil = measureFrom + UInt64(duration * 1e9)
        var measuring = false
        var stopped = false
        var drainUntil = UInt64.max
        var startCPU: Double? = nil
        var startProxyCPU: Double? = nil
        var startOwn = 0.0
        var result = PhaseResult(counters: counters, seconds: 0, brokerCPU: nil, proxyCPU: nil, ownCPU: 0)
        for requestor in requestors {
            requestor.sending = true
            requestor.start(at: begin)
        }
        while true {
            let now = RawClock.nanoseconds()
            if !measuring, !stopped, now >= measureFrom {
                measuring = true
                counters = PhaseCounters()
                startCPU = brokerPID.flatMap(ProcessMeter.cpuSeconds(of:))
                startProxyCPU = proxyPID.flatMap(ProcessMeter.cpuSeconds(of:))
                startOwn = ProcessMeter.ownCPUSeconds()
            }
            if measuring, now >= measureUntil {
                measuring = false
                stopped = true
                drainUntil = now + 3_000_000_000
                let seconds = Double(now - measureFrom) / 1e9
                let endCPU = brokerPID.flatMap(ProcessMeter.cpuSeconds(of:))
                let endProxyCPU = proxyPID.flatMap(ProcessMeter.cpuSeconds(of:))
                result = PhaseResult(
                    counters: counters, seconds: seconds,
                    brokerCPU: startCPU.flatMap { start in endCPU.map { $0 - start } },
                    proxyCPU: startProxyCPU.flatMap { start in endProxyCPU.map { $0 - start } },
                    ownCPU: ProcessMeter.ownCPUSeconds() - startOwn)
                for requestor in requestors { requestor.sending = false }
            }
            if stopped, now >= drainUntil || requestors.allSatisfy({ $0.outstanding == 0 }) { break }
            for (index, connection) in connections.enumerated() {
                if connection.hasPendingOutput || !connection.outbound.isEmpty { _ = connection.writeAvailable() }
                descriptors[index].events = Int16(POLLIN) | (connection.hasPendingOutput ? Int16(POLLOUT) : 0)
                descriptors[index].revents = 0
            }
            guard poll(&descriptors, nfds_t(descriptors.count), 5) >= 0 || errno == EINTR else { break }
            let readAt = RawClock.nanoseconds()
            for (index, connection) in connections.enumerated() where descriptors[index].revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 {
                guard connection.readAvailable() else {
                    print("connection closed by the broker")
                    return result
                }
                if index < providers.count {
                    let provider = providers[index]
                    _ = connection.forEachFrame { provider.handle($0, measuring: measuring, into: &counters) }
                } else {
                    let requestor = requestors[index - providers.count]
                    _ = connection.forEachFrame {
                        requestor.handle($0, at: readAt, measuring: measuring, into: &counters)
                    }
                }
            }
        }
        // Errors that arrive while draining still count.
        result.counters.requestorErrors = max(result.counters.requestorErrors, counters.requestorErrors)
        result.counters.providerErrors = max(result.counters.providerErrors, counters.providerErrors)
        return result
    }

    static func report(_ result: PhaseResult, title: String, loadBefore: String, loadAfter: String) {
        let calls = max(1, result.counters.completed)
        let rate = Double(result.counters.completed) / max(result.seconds, 1e-9)
        let histogram = result.counters.histogram
        func µs(_ seconds: Double?) -> String {
            guard let seconds else { return "?" }
            return String(format: "%.2f µs/RPC (%.0f %% of a core)", seconds * 1e6 / Double(calls), 100 * seconds / result.seconds)
        }
        print("\(title): \(result.counters.completed) RPCs in \(String(format: "%.2f", result.seconds)) s = "
            + "\(Int(rate)) RPC/s; latency p50 \(histogram.valueAtPercentile(50)) µs, p99 \(histogram.valueAtPercentile(99)) µs, "
            + "max \(histogram.max) µs; errors \(result.counters.requestorErrors) to requestors, "
            + "\(result.counters.providerErrors) to providers")
        print("  broker CPU \(µs(result.brokerCPU)); generator CPU \(µs(result.ownCPU)); "
            + "load average before \(loadBefore), after \(loadAfter)")
        if let proxy = result.proxyCPU {
            let ratio = result.brokerCPU.map { $0 > 0 ? String(format: "%.2f", proxy / $0) : "?" } ?? "?"
            print("  proxy CPU \(µs(proxy)); proxy / broker CPU per RPC = \(ratio)")
        }
    }
}
