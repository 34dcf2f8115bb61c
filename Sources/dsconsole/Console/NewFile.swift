#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes exports from the console (statistics, later recordings) to files that must not exist yet,
/// so an export never overwrites a file by accident.
enum NewFile {
    /// Creates `path` and writes `contents`; returns a message for people on failure.
    static func write(_ contents: String, to path: String) -> String? {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return String(cString: strerror(errno)) }
        defer { close(descriptor) }
        return StandardStreams.writeAll(contents, to: descriptor).map { String(cString: strerror($0)) }
    }
}
