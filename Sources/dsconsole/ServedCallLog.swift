import DeepstreamProtocol
import MockProviders
import Synchronization

/// Prints one line per served call on stdout, off the engine's executor, and counts outcomes.
///
/// Lines go through a bounded stream (the newest 10,000 wait; older ones are dropped and counted) to
/// a printer task, so a slow reader of stdout never stalls the provider.
final class ServedCallLog: Sendable {
    private struct Counts {
        var served = 0
        var responded = 0
        var errored = 0
        var rejected = 0
        var neverAccepted = 0
        var neverResponded = 0
        var droppedLines = 0
    }

    private let counts = Mutex(Counts())
    private let lines: AsyncStream<String>.Continuation
    private let printer: Task<Void, Never>

    /// Starts the printer.
    init() {
        let (stream, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(10_000))
        lines = continuation
        printer = Task {
            for await line in stream { StandardStreams.printLine(line) }
        }
    }

    /// Counts and prints one served call.
    func record(_ request: ProviderRequest, plan: ProviderPlan, at time: Timestamp) {
        counts.withLock { c in
            c.served += 1
            switch plan {
            case .respond: c.responded += 1
            case .error: c.errored += 1
            case .reject: c.rejected += 1
            case .neverAccept: c.neverAccepted += 1
            case .acceptThenNeverRespond: c.neverResponded += 1
            }
        }
        if case .dropped = lines.yield(Self.line(request, plan: plan, at: time)) {
            counts.withLock { $0.droppedLines += 1 }
        }
    }

    /// Flushes the remaining lines.
    func finish() async {
        lines.finish()
        await printer.value
    }

    /// `served N calls: R responded, E errors, J rejected, …`.
    var summary: String {
        let c = counts.withLock { $0 }
        var text = "served \(c.served) call\(c.served == 1 ? "" : "s"): \(c.responded) responded, \(c.errored) errors, \(c.rejected) rejected"
        if c.neverAccepted > 0 { text += ", \(c.neverAccepted) never accepted" }
        if c.neverResponded > 0 { text += ", \(c.neverResponded) never answered" }
        if c.droppedLines > 0 { text += " (\(c.droppedLines) log lines dropped)" }
        return text
    }

    /// `HH:MM:SS.mmm NAME CID DATA [from USER] -> OUTCOME`, time of day in UTC.
    static func line(_ request: ProviderRequest, plan: ProviderPlan, at time: Timestamp) -> String {
        let data = request.data?.jsonText ?? "(no data)"
        let from = request.requestorName.map { " from \($0)" } ?? ""
        let outcome: String
        switch plan {
        case .reject: outcome = "reject"
        case .neverAccept: outcome = "never accept"
        case .acceptThenNeverRespond: outcome = "accept, never respond"
        case .respond(let value, let delay): outcome = "respond \(value?.jsonText ?? "(no data)")\(after(delay))"
        case .error(let value, let delay): outcome = "error \(value.jsonText)\(after(delay))"
        }
        return "\(timeOfDay(time)) \(request.name) \(request.correlationId) \(data)\(from) -> \(outcome)"
    }

    private static func after(_ delay: Duration) -> String {
        guard delay > .zero else { return "" }
        let (seconds, attoseconds) = delay.components
        return " after \(seconds * 1000 + attoseconds / 1_000_000_000_000_000) ms"
    }

    /// `HH:MM:SS.mmm` in UTC.
    static func timeOfDay(_ time: Timestamp) -> String {
        let milliseconds = time.nanoseconds / 1_000_000
        let ms = milliseconds % 1000
        let seconds = milliseconds / 1000 % 86_400
        func two(_ n: UInt64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let msText = ms < 10 ? "00\(ms)" : ms < 100 ? "0\(ms)" : "\(ms)"
        return "\(two(seconds / 3600)):\(two(seconds / 60 % 60)):\(two(seconds % 60)).\(msText)"
    }
}
