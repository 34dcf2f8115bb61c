import DeepstreamProtocol

/// Everything the console knows about one call: one row of the Calls pane and its detail view.
package struct CallRecord: Hashable, Sendable {
    /// One step of the call's timeline.
    package struct TimelineEntry: Hashable, Sendable {
        /// What happened.
        package var step: CallStep
        /// When.
        package var at: Timestamp
        /// Creates an entry.
        package init(step: CallStep, at: Timestamp) {
            self.step = step
            self.at = at
        }
    }

    /// The call's key in the log.
    package var key: CallKey
    /// The call's position in the log's total order (0 for the first call ever recorded).
    package var sequence: Int
    /// The RPC name.
    package var name: String
    /// The requestor's user name, for served calls when the server sent it.
    package var requestorName: String?
    /// The provider connection the call is currently routed to (or accepted by), if known.
    package var provider: PeerID?
    /// Where the call is.
    package var status: CallStatus
    /// When the first observed step happened (normally `requested`).
    package var startedAt: Timestamp
    /// When a provider accepted, if one did.
    package var acceptedAt: Timestamp?
    /// When the call ended, if it did.
    package var endedAt: Timestamp?
    /// The request's JSON text (nil = no payload or not seen).
    package var requestData: String?
    /// The response's (or REQUEST_ERROR's) JSON text.
    package var responseData: String?
    /// Every observed step, in order.
    package var timeline: [TimelineEntry]
    /// What the last steering rule did to the call (`failed by rule 1`), nil when no rule touched it.
    package var steering: String?

    /// Creates a record from the first observed event of a call.
    package init(key: CallKey, sequence: Int, name: String, at: Timestamp) {
        self.key = key
        self.sequence = sequence
        self.name = name
        self.status = .requested
        self.startedAt = at
        self.timeline = []
    }

    /// Applies one step; steps after the end are recorded in the timeline but do not reopen the call.
    package mutating func apply(_ step: CallStep, at: Timestamp) {
        timeline.append(TimelineEntry(step: step, at: at))
        let wasFinal = status.isFinal
        switch step {
        case .requested(let data):
            requestData = data
            startedAt = min(startedAt, at)
        case .routed(let peer):
            provider = peer
            if !wasFinal { status = .routed }
        case .accepted(let peer):
            provider = peer
            if acceptedAt == nil { acceptedAt = at }
            if !wasFinal { status = .accepted }
        case .rejected:
            if !wasFinal { status = .requested }
        case .responded(let data):
            responseData = data
            if !wasFinal { status = .responded }
        case .errored(let data):
            responseData = data
            if !wasFinal { status = .errored }
        case .failed(let reason):
            if !wasFinal { status = .failed(reason) }
        case .denied(let rule, let reason):
            if !wasFinal { status = .denied(rule: rule, reason: reason) }
        case .abandoned(let reason):
            if !wasFinal { status = .abandoned(reason) }
        case .steered(let rule, let action, let detail):
            steering = CallDetailContent.steeringSummary(rule: rule, action: action, detail: detail)
        }
        if step.isFinal && endedAt == nil { endedAt = at }
    }

    /// Whether the server routed the call more than once (a provider rejected it and another got it).
    package var wasRerouted: Bool {
        var routes = 0
        for entry in timeline {
            if case .routed = entry.step { routes += 1 }
        }
        return routes > 1
    }

    /// Time from the request to the accept.
    package var acceptLatency: Duration? { acceptedAt.map { $0.since(startedAt) } }
    /// Time from the request to the end.
    package var totalLatency: Duration? { endedAt.map { $0.since(startedAt) } }
    /// The request payload's size in bytes (UTF-8 JSON text), nil without a payload.
    package var requestBytes: Int? { requestData?.utf8.count }
    /// The response payload's size in bytes, nil without a payload.
    package var responseBytes: Int? { responseData?.utf8.count }
}
