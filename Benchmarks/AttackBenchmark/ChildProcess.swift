import Foundation

/// A spawned `dsconsole` whose standard output can be read line by line; stopped with SIGTERM
/// (then SIGKILL) by ``stop()``.
final class ChildProcess {
    private let process = Process()
    private let output = Pipe()
    private var buffered = Data()

    var pid: Int32 { process.processIdentifier }

    init(_ executable: String, _ arguments: [String], discardOutput: Bool = false) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if discardOutput {
            process.standardOutput = FileHandle.nullDevice
        } else {
            process.standardOutput = output
        }
        try process.run()
    }

    /// Reads standard output until a line contains `marker`; throws after `timeout` seconds or at EOF.
    func readLine(containing marker: String, timeout: Double) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            while let newline = buffered.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffered[buffered.startIndex..<newline], as: UTF8.self)
                buffered.removeSubrange(buffered.startIndex...newline)
                if line.contains(marker) { return line }
            }
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { throw Failure("\(process.executableURL?.path ?? "child") ended before printing \"\(marker)\"") }
            buffered.append(chunk)
        }
        throw Failure("no \"\(marker)\" within \(timeout) s")
    }

    /// Asks the process to stop and waits for it (at most about two seconds before SIGKILL).
    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        for _ in 0..<40 where process.isRunning { usleep(50_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}
