import CallRecording
import DeepstreamProtocol

extension CallRecord {
    /// A call of a recording as the console shows it: a broker-observed call (a recording holds every
    /// client's calls) whose timeline is replayed step by step. `requestor` is the peer number the
    /// caller assigned to the recorded requestor (recordings keep user names, not requestor peers),
    /// which keeps equal correlation ids of different requestors apart.
    package init(recorded call: RecordedCall, sequence: Int, requestor: PeerID? = nil) {
        self.init(
            key: CallKey(origin: .broker, call: CallID(requestor: requestor, correlationId: call.correlationId)),
            sequence: sequence, name: call.name, at: call.startedAt ?? Timestamp(nanoseconds: 0))
        requestorName = call.requestor
        for step in call.timeline { apply(step.step, at: step.at) }
    }
}
