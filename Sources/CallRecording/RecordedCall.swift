import DeepstreamProtocol

/// One call of a recording: everything one line of the file holds.
///
/// Peers are kept as their connection numbers plus the user logged in on them; credentials never
/// appear (the observation events carry none, and the login's auth data is not part of a call).
package struct RecordedCall: Hashable, Sendable {
    /// One step of the call's timeline.
    package struct Step: Hashable, Sendable {
        /// What happened. Payloads are not repeated here: `requested`, `responded` and `errored`
        /// carry the call's ``RecordedCall/request`` / ``RecordedCall/response``.
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

    /// The RPC name.
    package var name: String
    /// The correlation id the requestor chose.
    package var correlationId: String
    /// The requestor's user name, if known.
    package var requestor: String?
    /// The provider's user name (or `#<peer>` when the user is unknown), if a provider was involved.
    package var provider: String?
    /// The request's JSON text exactly as on the wire (nil = no payload or not seen).
    package var request: String?
    /// The response's (or REQUEST_ERROR's) JSON text exactly as on the wire.
    package var response: String?
    /// Every observed step, in order; the last one ends the call.
    package var timeline: [Step]
    /// Why a payload a recording marks as not kept cannot be used (mocks, replay): one wording for
    /// every reader.
    package static let notKeptReason = "not kept by the recording console (its payload memory budget)"
    /// The size of a request the console saw but did not keep (its payload memory budget released
    /// it; ``request`` is then nil): the `notKept` field. Nil for a request written in full or absent.
    package var requestNotKeptBytes: Int?
    /// The size of a response the console saw but did not keep, likewise.
    package var responseNotKeptBytes: Int?

    /// Creates a recorded call.
    package init(
        name: String, correlationId: String, requestor: String? = nil, provider: String? = nil,
        request: String? = nil, response: String? = nil, timeline: [Step],
        requestNotKeptBytes: Int? = nil, responseNotKeptBytes: Int? = nil
    ) {
        self.requestNotKeptBytes = requestNotKeptBytes
        self.responseNotKeptBytes = responseNotKeptBytes
        self.name = name
        self.correlationId = correlationId
        self.requestor = requestor
        self.provider = provider
        self.request = request
        self.response = response
        self.timeline = timeline
    }

    /// The step that ended the call (the last final step of the timeline), if any.
    package var finalStep: CallStep? { timeline.last(where: { $0.step.isFinal })?.step }

    /// When the call started (its first step).
    package var startedAt: Timestamp? { timeline.first?.at }

    /// When the call ended.
    package var endedAt: Timestamp? { timeline.last(where: { $0.step.isFinal })?.at }

    /// How the call ended, as written in the `outcome` field: `RESPONSE`, `REQUEST_ERROR`, the RPC
    /// action for a server failure or denial (`NO_RPC_PROVIDER`, `MESSAGE_DENIED`, …), or
    /// `abandoned: <reason>` for a call the client gave up.
    package var outcome: String {
        switch finalStep {
        case .responded: "RESPONSE"
        case .errored: "REQUEST_ERROR"
        case .failed(let reason): reason.name
        case .denied(_, let reason): reason.name
        case .abandoned(let reason): "abandoned: \(reason)"
        case .requested, .routed, .accepted, .rejected, .steered, nil: "unfinished"
        }
    }
}
