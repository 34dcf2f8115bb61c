import CallRecording
import ConsoleCore
import DeepstreamProtocol
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Feeds a recording into the offline console (`dsconsole open`): reads the file in 1 MiB blocks,
/// parses each line, turns every call into traffic events (``RecordingFeed``) and hands them to the
/// loop's event queue.
///
/// Bounded: the loader waits while more than ``highWater`` events are queued, so it never makes the
/// queue drop, and memory stays at one block plus the queue; the call log's capacity then bounds
/// what is kept (its oldest calls are evicted as in a live session).
struct RecordingLoader: Sendable {
    /// Queued events above which the loader waits for the loop.
    static let highWater = 20_000
    /// Bytes read per block.
    static let blockSize = 1 << 20

    /// The recording.
    let path: String
    /// The open file, checked before the screen starts.
    private let descriptor: Int32
    /// Where the loader notes how long reading took (the console's log file; never the screen).
    var logger: Logger?

    /// Opens `path` for reading; the failure is one line (exit 66 for the caller).
    init(path: String) throws(CommandFailure) {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw CommandFailure(.noInput, "dsconsole: cannot read recording \(path): \(String(cString: strerror(errno)))")
        }
        self.path = path
        self.descriptor = descriptor
    }

    /// Reads the whole file into `queue` (waking the loop with `wake` when the queue was empty), then
    /// reports ``ConsoleAction/recordingLoaded(calls:badLines:firstBadLine:)`` through `finished`.
    /// Stops early when the task is cancelled (the user quit). Closes the file.
    func load(
        into queue: EngineEventQueue, wake: @Sendable () -> Void, finished: @Sendable (ConsoleAction) -> Void
    ) async {
        defer { close(descriptor) }
        let started = ContinuousClock.now
        var reader = RecordingReader()
        var feed = RecordingFeed()
        var calls = 0
        var pending: [UInt8] = []
        var block = [UInt8](repeating: 0, count: Self.blockSize)

        func take(_ line: ArraySlice<UInt8>) async {
            guard let call = reader.read(line: String(decoding: line, as: UTF8.self)) else { return }
            calls += 1
            for event in feed.events(for: call) {
                if queue.append(event) { wake() }
            }
            while queue.count > Self.highWater, !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(2))
            }
        }

        while !Task.isCancelled {
            let count = block.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            if count <= 0 { break }
            pending.append(contentsOf: block[0..<count])
            var start = pending.startIndex
            while let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
                await take(pending[start..<newline])
                start = newline + 1
            }
            pending.removeSubrange(..<start)
        }
        if !pending.isEmpty, !Task.isCancelled { await take(pending[...]) }
        if Task.isCancelled { return }
        logger?.notice("opened \(path): \(calls) calls, \(reader.badLineCount) bad lines, read in \(ContinuousClock.now - started)")
        finished(.recordingLoaded(calls: calls, badLines: reader.badLineCount, firstBadLine: reader.firstBadLine))
    }
}
