#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Appends lines to a recording file that must not exist yet (like ``NewFile``, a recording never
/// overwrites a file by accident). Sendable because its only state is an immutable descriptor; concurrent
/// appends could interleave, so ``CallRecorder`` calls it under its lock only.
final class RecordingFileWriter: Sendable {
    private let descriptor: Int32

    /// Creates `path`; throws a message for people when it exists or cannot be created.
    init(creating path: String) throws(CommandFailure) {
        descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw CommandFailure(.cannotCreate, "dsconsole: cannot create \(path): \(String(cString: strerror(errno)))")
        }
    }

    deinit { close(descriptor) }

    /// Writes `line` and a newline; returns a message for people on failure.
    func append(line: String) -> String? {
        StandardStreams.writeAll(line + "\n", to: descriptor).map { String(cString: strerror($0)) }
    }
}
