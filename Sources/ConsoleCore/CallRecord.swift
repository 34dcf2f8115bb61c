import DeepstreamProtocol

/// Everything the console knows about one call: one row of the Calls pane and its detail view.
///
/// Compact, because the log holds up to 100,000 of them (issue 15; docs/console.md, "Memory per
/// call"): the timeline is packed inline (``CompactTimeline``), both payloads share one byte buffer
/// with the correlation id (``CallPayloads``), the status is one byte (its details come from the step that ended the call),
/// and provider, accept and end times are derived from the timeline instead of being stored. The
/// log interns ``name`` and ``requestorName`` so records of the same RPC share one string. What a
/// record reads back is exactly what was applied to it.
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

    /// ``status`` without its associated values (those come from the step that ended the call).
    private enum StatusKind: UInt8, Hashable, Sendable {
        case requested, routed, accepted, responded, errored, failed, denied, abandoned

        var isFinal: Bool {
            switch self {
            case .requested, .routed, .accepted: false
            case .responded, .errored, .failed, .denied, .abandoned: true
            }
        }
    }

    /// The call's key in the log (built on each read: the correlation id lives in ``payloads``).
    package var key: CallKey {
        CallKey(origin: origin, call: CallID(requestor: requestor, correlationId: payloads.correlationId))
    }

    /// Whether the call's key is `key`, without building a String for the correlation id.
    func hasKey(_ key: CallKey) -> Bool {
        key.origin == origin && key.call.requestor == requestor && payloads.hasCorrelationId(key.call.correlationId)
    }

    /// The requestor's connection (the key's), without building the key (rows and statistics read it).
    package var requestor: PeerID? { hasRequestor ? PeerID(requestorNumber) : nil }

    // Stored properties in this order on purpose: Swift lays them out as declared, and this order
    // leaves the least padding (the one-byte fields fill the end of the timeline's last word).
    /// The call's position in the log's total order (0 for the first call ever recorded).
    package var sequence: Int
    /// The RPC name.
    package var name: String
    /// The requestor's user name, for served calls when the server sent it.
    package var requestorName: String?
    /// When the first observed step happened (normally `requested`).
    package private(set) var startedAt: Timestamp
    private var requestorNumber: UInt64
    private var payloads: CallPayloads
    private var steps = CompactTimeline()
    private var statusKind = StatusKind.requested
    /// Where the call was seen (the key's), without building the key.
    package private(set) var origin: CallOrigin
    private var hasRequestor: Bool

    /// Creates a record from the first observed event of a call.
    package init(key: CallKey, sequence: Int, name: String, at: Timestamp) {
        origin = key.origin
        hasRequestor = key.call.requestor != nil
        requestorNumber = key.call.requestor?.rawValue ?? 0
        payloads = CallPayloads(correlationId: key.call.correlationId)
        self.sequence = sequence
        self.name = name
        self.startedAt = at
    }

    /// Applies one step; steps after the end are recorded in the timeline but do not reopen the call.
    package mutating func apply(_ step: CallStep, at: Timestamp) {
        let wasFinal = statusKind.isFinal
        switch step {
        case .requested(let data):
            if steps.containsPacked(.requested) {
                steps.unpack(.requested, as: .requested(data: payloads.request), start: startedAt)
            }
            payloads.setRequest(data)
            if at < startedAt {
                steps.rebase(from: startedAt, to: at, payloads: payloads)
                startedAt = at
            }
        case .responded(let data), .errored(let data):
            if steps.containsPacked(.responded) {
                steps.unpack(.responded, as: .responded(data: payloads.response), start: startedAt)
            }
            if steps.containsPacked(.errored) {
                steps.unpack(.errored, as: .errored(data: payloads.response), start: startedAt)
            }
            payloads.setResponse(data)
        default:
            break
        }
        steps.append(step, at: at, start: startedAt, payloads: payloads)
        guard !wasFinal else { return }
        switch step {
        case .requested, .steered: break
        case .routed: statusKind = .routed
        case .accepted: statusKind = .accepted
        case .rejected: statusKind = .requested
        case .responded: statusKind = .responded
        case .errored: statusKind = .errored
        case .failed: statusKind = .failed
        case .denied: statusKind = .denied
        case .abandoned: statusKind = .abandoned
        }
    }

    /// Where the call is.
    package var status: CallStatus {
        switch statusKind {
        case .requested: return .requested
        case .routed: return .routed
        case .accepted: return .accepted
        case .responded: return .responded
        case .errored: return .errored
        case .failed, .denied, .abandoned:
            var status = CallStatus.failed(.unknown)
            steps.forEach(start: startedAt) { shape, _ in
                switch shape {
                case .failed(let reason): status = .failed(reason)
                case .whole(.failed(let reason)): status = .failed(reason)
                case .whole(.denied(let rule, let reason)): status = .denied(rule: rule, reason: reason)
                case .whole(.abandoned(let reason)): status = .abandoned(reason)
                case .whole(let step) where step.isFinal: break
                case .responded, .errored: break
                default: return true
                }
                return false
            }
            return status
        }
    }

    /// The provider connection the call is currently routed to (or accepted by), if known.
    package var provider: PeerID? {
        var provider: PeerID?
        steps.forEach(start: startedAt) { shape, _ in
            switch shape {
            case .routed(let peer), .accepted(let peer): provider = peer
            case .whole(.routed(let peer)), .whole(.accepted(let peer)): provider = peer
            default: break
            }
            return true
        }
        return provider
    }

    /// When a provider accepted, if one did.
    package var acceptedAt: Timestamp? {
        var time: Timestamp?
        steps.forEach(start: startedAt) { shape, at in
            switch shape {
            case .accepted, .whole(.accepted):
                time = at
                return false
            default: return true
            }
        }
        return time
    }

    /// When the call ended, if it did.
    package var endedAt: Timestamp? {
        var time: Timestamp?
        steps.forEach(start: startedAt) { shape, at in
            switch shape {
            case .responded, .errored, .failed:
                time = at
                return false
            case .whole(let step) where step.isFinal:
                time = at
                return false
            default: return true
            }
        }
        return time
    }

    /// The request's JSON text (nil = no payload, not seen, or released: see ``isRequestReleased``).
    package var requestData: String? { payloads.request }
    /// The response's (or REQUEST_ERROR's) JSON text (nil also when released).
    package var responseData: String? { payloads.response }

    /// Whether the request was seen but the log's payload memory budget released its bytes
    /// (``requestBytes`` still tells its size).
    package var isRequestReleased: Bool { payloads.isRequestReleased }
    /// Whether the response was seen but the log's payload memory budget released its bytes.
    package var isResponseReleased: Bool { payloads.isResponseReleased }
    /// The size of the request when the budget released it (nil when it is kept or was never seen), as
    /// `RecordedCall.requestNotKeptBytes` has it.
    package var requestNotKeptBytes: Int? { isRequestReleased ? requestBytes ?? 0 : nil }
    /// The size of the response when the budget released it, likewise.
    package var responseNotKeptBytes: Int? { isResponseReleased ? responseBytes ?? 0 : nil }

    /// Whether the log's budget released a payload of this call before (it is counted once).
    var wasCountedAsReleased: Bool { payloads.wasCountedAsReleased }

    /// The payload bytes the record holds (what the log's budget counts).
    var heldPayloadBytes: Int { payloads.heldPayloadBytes }

    /// Releases the held payloads (both, or only those larger than `limit`), keeping their sizes;
    /// payload copies kept in a spilled timeline go too. Returns the payload bytes freed.
    @discardableResult
    mutating func releasePayloads(largerThan limit: Int = -1) -> Int {
        let request = payloads.heldRequestBytes > limit
        let response = payloads.heldResponseBytes > limit
        guard request || response else { return 0 }
        let freed = payloads.release(request: request, response: response)
        if freed > 0 { steps.dropPayloads(request: request, response: response) }
        return freed
    }

    /// Marks the request and/or the response (those given) as not kept with the recorded size (a
    /// recording's `notKept`); payload copies kept in a spilled timeline go too. Returns the payload
    /// bytes freed.
    @discardableResult
    mutating func markPayloadsNotKept(request: Int?, response: Int?) -> Int {
        let freed = payloads.markNotKept(request: request, response: response)
        steps.dropPayloads(request: request != nil, response: response != nil)
        return freed
    }

    /// Every observed step, in order.
    package var timeline: [TimelineEntry] {
        steps.entries(start: startedAt, request: payloads.request, response: payloads.response)
    }

    /// What the last steering rule did to the call (`failed by rule 1`), nil when no rule touched it.
    package var steering: String? {
        var summary: String?
        steps.forEach(start: startedAt) { shape, _ in
            if case .whole(.steered(let rule, let action, let detail)) = shape {
                summary = CallDetailContent.steeringSummary(rule: rule, action: action, detail: detail)
            }
            return true
        }
        return summary
    }

    /// Whether a steering rule touched the call (cheaper than ``steering`` for the row's flag).
    package var isSteered: Bool {
        var steered = false
        steps.forEach(start: startedAt) { shape, _ in
            if case .whole(.steered) = shape { steered = true }
            return !steered
        }
        return steered
    }

    /// Whether the server routed the call more than once (a provider rejected it and another got it).
    package var wasRerouted: Bool {
        var routes = 0
        steps.forEach(start: startedAt) { shape, _ in
            switch shape {
            case .routed, .whole(.routed): routes += 1
            default: break
            }
            return routes < 2
        }
        return routes > 1
    }

    /// Whether a provider rejected the call at least once.
    package var wasRejected: Bool {
        var rejected = false
        steps.forEach(start: startedAt) { shape, _ in
            switch shape {
            case .rejected, .whole(.rejected): rejected = true
            default: break
            }
            return !rejected
        }
        return rejected
    }

    /// Time from the request to the accept.
    package var acceptLatency: Duration? { acceptedAt.map { $0.since(startedAt) } }
    /// Time from the request to the end.
    package var totalLatency: Duration? { endedAt.map { $0.since(startedAt) } }
    /// The request payload's size in bytes (UTF-8 JSON text), nil without a payload.
    package var requestBytes: Int? { payloads.requestByteCount }
    /// The response payload's size in bytes, nil without a payload.
    package var responseBytes: Int? { payloads.responseByteCount }
}
