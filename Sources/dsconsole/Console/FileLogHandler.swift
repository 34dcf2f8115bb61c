import Foundation
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A swift-log handler appending lines to a file, so the engine's and the broker's logs never reach
/// the console's screen. Writes are serialised by a mutex; the file is opened once.
struct FileLogHandler: LogHandler {
    /// The open log file shared by every logger of the process.
    final class Sink: Sendable {
        /// The file descriptor, or -1 when logs are discarded. Never closed: loggers live until exit.
        private let descriptor: Int32
        /// Serialises writes so lines from different threads never interleave.
        private let lock = Mutex(())

        /// Opens (and truncates) `path`; with nil or an unopenable path, logs are discarded.
        init(path: String?) {
            guard let path else {
                descriptor = -1
                return
            }
            try? StatePaths.createParentDirectory(of: path)
            descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0o600)
        }

        /// Appends one line. Plain write(2) with errors ignored: `FileHandle.write` traps on a failed
        /// write (a full disk must not crash the console).
        func write(_ line: String) {
            guard descriptor >= 0 else { return }
            let bytes = Array(line.utf8)
            lock.withLock { _ in
                writeIgnoringErrors(descriptor, bytes)
            }
        }
    }

    /// The level below which messages are dropped.
    var logLevel: Logger.Level
    /// Metadata of this logger.
    var metadata: Logger.Metadata = [:]
    private let label: String
    private let sink: Sink

    /// A handler for `label` writing to `sink`.
    init(label: String, sink: Sink, level: Logger.Level) {
        self.label = label
        self.sink = sink
        self.logLevel = level
    }

    /// Per-key metadata.
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Formats and appends one message.
    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        let details = merged.isEmpty
            ? "" : " " + merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let error = event.error.map { " error=\($0)" } ?? ""
        let time = String(format: "%.3f", Date().timeIntervalSince1970)
        sink.write("\(time) \(event.level) \(label): \(event.message)\(details)\(error)\n")
    }
}

/// write(2) of `bytes` to `descriptor`, result ignored (outside the type: its `write` hides the C one).
private func writeIgnoringErrors(_ descriptor: Int32, _ bytes: [UInt8]) {
    _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
}
