import CallRecording
import CallStatistics
import DeepstreamProtocol

/// `dsconsole record`: assembles calls from a broker tap, a proxy or an engine with a detail-keeping
/// ``CallTracker`` and appends one recording line per ended call to the file.
final class CallRecorder: Sendable {
    private struct State {
        var tracker = CallTracker(keepingDetails: true)
        var recorded = 0
        var writeError: String?
        let file: RecordingFileWriter
    }

    // The writer is only touched inside the lock, so the state is safe to share between tasks.
    private let state: Locked<State>

    /// Creates the recording file and writes its header.
    init(path: String, header: RecordingHeader) throws(CommandFailure) {
        let file = try RecordingFileWriter(creating: path)
        if let error = file.append(line: RecordingFormat.line(for: header)) {
            throw CommandFailure(.unavailable, "dsconsole: cannot write \(path): \(error)")
        }
        state = Locked(State(file: file))
    }

    /// Calls written so far.
    var recordedCalls: Int { state.withLock { $0.recorded } }
    /// Unfinished calls forgotten to stay within the tracker's bound.
    var evictedCalls: Int { state.withLock { $0.tracker.evictedCalls } }
    /// Calls seen but not ended (not written: a recording holds ended calls only).
    var openCalls: Int { state.withLock { $0.tracker.openCalls } }
    /// The first write error, if any.
    var writeError: String? { state.withLock { $0.writeError } }

    /// Takes a broker tap or proxy event.
    func observe(_ event: TrafficEvent) {
        state.withLock { state in
            if let finished = state.tracker.observe(event) { Self.write(finished, into: &state) }
        }
    }

    /// Takes an engine event (its own calls, its served calls, relayed traffic).
    func observe(_ event: EngineEvent) {
        switch event {
        case .outgoingCall(let call):
            state.withLock { state in
                if let finished = state.tracker.observe(call) { Self.write(finished, into: &state) }
            }
        case .servedCall(let call, let requestor):
            state.withLock { state in
                if let finished = state.tracker.observe(call, requestorName: requestor?.name) {
                    Self.write(finished, into: &state)
                }
            }
        case .traffic(let traffic):
            observe(traffic)
        default:
            break
        }
    }

    private static func write(_ finished: FinishedCall, into state: inout State) {
        guard state.writeError == nil, let call = RecordedCall(finished) else { return }
        if let error = state.file.append(line: RecordingFormat.line(for: call)) {
            state.writeError = error
        } else {
            state.recorded += 1
        }
    }
}
