import CallStatistics

extension RecordedCall {
    /// The recorded form of a call assembled by a ``CallTracker`` that keeps details; nil when the
    /// tracker kept none.
    package init?(_ finished: FinishedCall) {
        guard let details = finished.details else { return nil }
        self.init(
            name: finished.name, correlationId: details.correlationId, requestor: details.requestor,
            provider: finished.provider, request: details.requestData, response: details.responseData,
            timeline: details.timeline.map { Step(step: $0.step, at: $0.at, peerName: $0.peerName) })
    }
}
