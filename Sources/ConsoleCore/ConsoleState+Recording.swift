import CallRecording
import DeepstreamProtocol

/// `w`: writes the call log (or the calls the current filter shows) as a recording (docs/recording.md).
extension ConsoleState {
    /// Opens the prompt with a default file name.
    mutating func openWriteRecordingPrompt() {
        let seconds = (now ?? Timestamp(nanoseconds: 0)).nanoseconds / 1_000_000_000
        overlay = .writeRecording(LineEditor("dsconsole-calls-\(seconds).jsonl"))
    }

    /// How many calls `w` would write now: ended calls that the filter shows.
    package var recordableCallCount: Int {
        var count = 0
        forEachRecordableCall { _ in count += 1 }
        return count
    }

    /// The ended calls the filter shows, oldest first, in the recording's form.
    func recordedCalls() -> [RecordedCall] {
        var result: [RecordedCall] = []
        forEachRecordableCall { result.append(recordedCall($0)) }
        return result
    }

    private func forEachRecordableCall(_ body: (CallRecord) -> Void) {
        guard let last = calls.log.lastSequence else { return }
        let matches = callMatcher
        for sequence in calls.log.firstSequence...last {
            guard let record = calls.log[sequence: sequence], record.status.isFinal, matches(record) else { continue }
            body(record)
        }
    }

    /// A call of the log as a recording line holds it; user names come from the console's peers.
    package func recordedCall(_ record: CallRecord) -> RecordedCall {
        func user(_ peer: PeerID) -> String? { peers[peer]?.user }
        let timeline = record.timeline.map { entry -> RecordedCall.Step in
            let peer: PeerID? = switch entry.step {
            case .routed(let peer), .accepted(let peer), .rejected(let peer): peer
            default: nil
            }
            return RecordedCall.Step(step: entry.step, at: entry.at, peerName: peer.flatMap(user))
        }
        return RecordedCall(
            name: record.name, correlationId: record.key.call.correlationId,
            requestor: record.requestorName ?? record.key.call.requestor.flatMap(user),
            provider: record.provider.map { user($0) ?? $0.description },
            request: record.requestData, response: record.responseData, timeline: timeline,
            requestNotKeptBytes: record.requestNotKeptBytes,
            responseNotKeptBytes: record.responseNotKeptBytes)
    }

    /// Closes the prompt and asks the runtime to write the recording to `path` (a new file).
    mutating func writeRecording(to path: String) -> [ConsoleEffect] {
        overlay = nil
        let path = String(path.drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
        guard !path.isEmpty else { return [.requestRedraw] }
        let recorded = recordedCalls()
        let header = RecordingHeader(source: "console", startedAt: recorded.first?.startedAt ?? now ?? Timestamp(nanoseconds: 0))
        var text = RecordingFormat.line(for: header) + "\n"
        for call in recorded { text += RecordingFormat.line(for: call) + "\n" }
        return [.writeFile(path: path, contents: text, what: "a recording of \(recorded.count) calls"), .requestRedraw]
    }
}
