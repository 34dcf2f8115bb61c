#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Unbuffered-enough writes to stdout and stderr through the file descriptors (no C `FILE*` globals,
/// which Swift 6 rejects as shared mutable state).
enum StandardStreams {
    /// Writes `text` plus a newline to stdout.
    static func printLine(_ text: String) { write(text + "\n", to: 1) }

    /// Writes `text` plus a newline to stderr.
    static func printError(_ text: String) { write(text + "\n", to: 2) }

    /// Writes `text` to stderr without a newline (progress lines).
    static func writeError(_ text: String) { write(text, to: 2) }

    /// Whether stderr is a terminal.
    static var stderrIsTerminal: Bool { isatty(2) == 1 }

    /// Writes all bytes, retrying on EINTR and short writes. On a closed stdout pipe it gives up and
    /// asks the command to stop (``TerminationSignal/deliver(_:)``), as a Unix filter would.
    static func write(_ text: String, to descriptor: Int32) {
        // Our reader went away: stop like a filter does (see OutputClosureWatcher).
        if writeAll(text, to: descriptor) == EPIPE && descriptor == 1 { TerminationSignal.deliver(SIGPIPE) }
    }

    /// Writes all of `text`'s UTF-8 bytes to `descriptor`, retrying on EINTR and short writes;
    /// returns the `errno` of a failed write, nil when everything was written.
    static func writeAll(_ text: String, to descriptor: Int32) -> Int32? {
        var bytes = Array(text.utf8)
        defer { bytes.removeAll() }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { buffer in
                #if canImport(Glibc)
                Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                #else
                Darwin.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                #endif
            }
            if written < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += written
        }
        return nil
    }

    /// Reads all of stdin as text.
    static func readStandardInput() -> String {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            if count <= 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Reads a whole file as text; a ``CommandFailure`` with ``ExitStatus/noInput`` when it cannot.
    static func readFile(_ path: String, what: String) throws(CommandFailure) -> String {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw CommandFailure(.noInput, "dsconsole: cannot read \(what) \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            if count < 0 {
                throw CommandFailure(.noInput, "dsconsole: cannot read \(what) \(path): \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
