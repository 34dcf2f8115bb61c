import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// CPU time and peak memory of a process, read from `/proc` (Linux).
enum ProcessMeter {
    /// utime + stime of `pid` in seconds (10 ms resolution), or nil when it cannot be read.
    static func cpuSeconds(of pid: Int32) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        // Fields after the command name start at field 3 (state); utime and stime are fields 14 and 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// This process's user + system CPU time in seconds (microsecond resolution).
    static func ownCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }

    /// A field of `/proc/PID/status` in kB (`VmHWM` is the peak resident set size).
    static func statusKilobytes(_ field: String, of pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix(field + ":") {
            return Int(line.dropFirst(field.count + 1).split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "")
        }
        return nil
    }

    /// The 1-, 5- and 15-minute load averages as printed by `/proc/loadavg`.
    static func loadAverage() -> String {
        let text = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?"
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }
}

/// `dsconsole serve` started as a child process on a free port; stopped with SIGTERM by ``stop()``.
final class ServedBroker {
    private let process = Process()
    private let output = Pipe()
    let port: Int

    var pid: Int32 { process.processIdentifier }

    /// Starts `executable serve --port 0 --log-level error` and waits for its "listening" line.
    init(executable: String, extraArguments: [String] = []) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["serve", "--port", "0", "--log-level", "error"] + extraArguments
        process.standardOutput = output
        try process.run()
        var buffered = Data()
        let deadline = Date().addingTimeInterval(20)
        var found: Int?
        while found == nil, Date() < deadline {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { throw Failure("\(executable) serve ended before it listened") }
            buffered.append(chunk)
            let text = String(decoding: buffered, as: UTF8.self)
            if let range = text.range(of: "ws://127.0.0.1:") {
                found = Int(text[range.upperBound...].prefix { $0.isNumber })
            }
        }
        guard let found else { throw Failure("\(executable) serve printed no port within 20 s") }
        port = found
    }

    /// Sends SIGTERM and waits (SIGKILL after about two seconds).
    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        for _ in 0..<40 where process.isRunning { usleep(50_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}
