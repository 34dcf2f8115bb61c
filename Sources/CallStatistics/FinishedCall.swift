import DeepstreamProtocol

/// What the statistics keep of one call once it has ended.
package struct FinishedCall: Hashable, Sendable {
    /// The RPC name.
    package var name: String
    /// Who provided it last (a user name, or `#<peer>` when the user is unknown); nil when no
    /// provider was involved or it is unknown.
    package var provider: String?
    /// How it ended.
    package var outcome: CallOutcomeKind
    /// From the request to the first accept, if a provider accepted.
    package var acceptLatency: Duration?
    /// From the request to the end.
    package var totalLatency: Duration
    /// Whether a provider rejected it and it was routed again (or failed for lack of another).
    package var wasRerouted: Bool
    /// When it ended.
    package var endedAt: Timestamp
    /// Everything else about the call, when the tracker keeps details (``CallTracker/keepsDetails``).
    package var details: Details?

    /// One observed step of a call, with the user name of the peer it names when known.
    package struct Step: Hashable, Sendable {
        /// What happened.
        package var step: CallStep
        /// When.
        package var at: Timestamp
        /// The user logged in on the step's peer (routed/accepted/rejected), if known.
        package var peerName: String?
        /// Creates a step.
        package init(step: CallStep, at: Timestamp, peerName: String? = nil) {
            self.step = step
            self.at = at
            self.peerName = peerName
        }
    }

    /// What a recording needs beyond the statistics: identity, payloads and the timeline.
    package struct Details: Hashable, Sendable {
        /// The correlation id the requestor chose.
        package var correlationId: String
        /// The requestor's user name, if known.
        package var requestor: String?
        /// The request's JSON text as on the wire (nil = no payload or not seen).
        package var requestData: String?
        /// The response's (or REQUEST_ERROR's) JSON text as on the wire.
        package var responseData: String?
        /// Every observed step, in order.
        package var timeline: [Step]
        /// Creates details.
        package init(
            correlationId: String, requestor: String? = nil, requestData: String? = nil,
            responseData: String? = nil, timeline: [Step] = []
        ) {
            self.correlationId = correlationId
            self.requestor = requestor
            self.requestData = requestData
            self.responseData = responseData
            self.timeline = timeline
        }
    }

    /// Creates a finished call.
    package init(
        name: String, provider: String?, outcome: CallOutcomeKind, acceptLatency: Duration?,
        totalLatency: Duration, wasRerouted: Bool, endedAt: Timestamp, details: Details? = nil
    ) {
        self.details = details
        self.name = name
        self.provider = provider
        self.outcome = outcome
        self.acceptLatency = acceptLatency
        self.totalLatency = totalLatency
        self.wasRerouted = wasRerouted
        self.endedAt = endedAt
    }
}
