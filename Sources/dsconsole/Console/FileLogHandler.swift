import Foundation
import Logging
import Synchronization

/// A swift-log handler appending lines to a file, so the engine's and the broker's logs never reach
/// the console's screen. Writes are serialised by a mutex; the file is opened once.
struct FileLogHandler: LogHandler {
    /// The open log file shared by every logger of the process.
    final class Sink: Sendable {
        private let handle: Mutex<FileHandle?>

        /// Opens (and truncates) `path`; with nil or an unopenable path, logs are discarded.
        init(path: String?) {
            var opened: FileHandle?
            if let path {
                try? StatePaths.createParentDirectory(of: path)
                if FileManager.default.createFile(atPath: path, contents: nil) {
                    opened = FileHandle(forWritingAtPath: path)
                }
            }
            handle = Mutex(opened)
        }

        /// Appends one line.
        func write(_ line: String) {
            handle.withLock { $0?.write(Data(line.utf8)) }
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
