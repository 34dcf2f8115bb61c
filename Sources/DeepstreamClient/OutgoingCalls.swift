import DeepstreamProtocol

/// Bookkeeping of the calls this engine makes (`make`), as a pure value: which are buffered while
/// offline, which are on the wire, and how each server reply ends one (spec §4 #7–#20).
///
/// Every call reaches exactly one outcome: the methods that end calls remove them, and a call that
/// ended locally (timeout, cancel) is remembered for a while so that a late server reply is ignored
/// quietly instead of being reported as an unknown correlation id.
package struct OutgoingCalls: Sendable {
    /// Where a call is.
    package enum Phase: Hashable, Sendable {
        /// Waiting in the offline buffer.
        case buffered
        /// REQUEST sent.
        case sent
        /// The provider accepted.
        case accepted
    }

    /// One call.
    package struct Call: Hashable, Sendable {
        /// RPC name.
        package var name: String
        /// Correlation id.
        package var correlationId: String
        /// JSON text of the request data (`nil` = none).
        package var data: String?
        /// Where it is.
        package var phase: Phase
        /// The encoded REQUEST's size in bytes.
        package var size: Int = 0
        /// The caller's client-side deadline, if any.
        package var timeout: Duration?

        /// The REQUEST message for this call.
        package var request: Message {
            .rpc(RPCMessage(action: .request, data: data, correlationId: correlationId, name: name))
        }
    }

    /// Whether calls can go out now.
    package enum Link: Hashable, Sendable {
        /// Logged in: send.
        case open
        /// In the offline buffer window: buffer.
        case buffering
        /// Neither: fail with ``RPCError/clientOffline``.
        case offline
    }

    /// What to do with a new call.
    package enum StartDecision: Hashable, Sendable {
        /// Send this REQUEST.
        case send(Message)
        /// Buffered until re-login or the end of the window.
        case buffered
        /// Failed at once; nothing was recorded.
        case failed(RPCError)
    }

    /// What a server RPC message meant for the calls.
    package enum ReplyEffect: Hashable, Sendable {
        /// The provider accepted; the call stays pending.
        case accepted(Call)
        /// The call ended with this result.
        case settled(Call, Result<JSONValue?, RPCError>)
        /// A reply for a call that already ended locally; ignore it.
        case late
        /// A reply for a correlation id this engine never used (or forgot).
        case unknown
    }

    /// How many locally ended ids are remembered to recognise late replies.
    package static let lateReplyMemory = 1024

    private var calls: [String: Call] = [:]
    private var bufferOrder: [String] = []
    private var endedLocally: Set<String> = []
    private var endedOrder: [String] = []

    /// Creates an empty table.
    package init() {}

    /// The number of calls not yet ended.
    package var count: Int { calls.count }

    /// Registers a new call. `maxMessageSize` is checked on the encoded REQUEST before anything else.
    package mutating func start(
        name: String, correlationId: String, data: JSONValue?, link: Link, maxMessageSize: Int,
        timeout: Duration? = nil
    ) -> StartDecision {
        guard !name.isEmpty else { return .failed(.invalidName) }
        var call = Call(name: name, correlationId: correlationId, data: data?.jsonText, phase: .sent)
        call.timeout = timeout
        call.size = BinaryCodec.encodedSize(of: call.request)
        guard call.size <= maxMessageSize else {
            return .failed(.messageTooBig(size: call.size, limit: .client(maxMessageSize)))
        }
        switch link {
        case .open:
            calls[correlationId] = call
            return .send(call.request)
        case .buffering:
            call.phase = .buffered
            calls[correlationId] = call
            bufferOrder.append(correlationId)
            return .buffered
        case .offline:
            return .failed(.clientOffline)
        }
    }

    /// Applies a server RPC message that concerns a call this engine made (ACCEPT, RESPONSE,
    /// REQUEST_ERROR, the server error actions, MESSAGE_DENIED for a request).
    package mutating func received(_ message: RPCMessage) -> ReplyEffect {
        guard let cid = message.correlationId, var call = calls[cid], call.phase != .buffered else {
            if let cid = message.correlationId, endedLocally.contains(cid) { return .late }
            return .unknown
        }
        let result: Result<JSONValue?, RPCError>
        switch message.action {
        case .accept:
            call.phase = .accepted
            calls[cid] = call
            return .accepted(call)
        case .response:
            result = Self.parse(message.data)
        case .requestError:
            switch Self.parse(message.data) {
            case .success(let value): result = .failure(.requestError(value))
            case .failure(let error): result = .failure(error)
            }
        default:
            result = .failure(RPCError.fromServer(message.action) ?? .unexpectedReply(message.action))
        }
        calls[cid] = nil
        return .settled(call, result)
    }

    /// Ends a call on the client side (deadline, cancellation); later replies count as late.
    package mutating func end(_ correlationId: String) -> Call? {
        guard let call = calls.removeValue(forKey: correlationId) else { return nil }
        bufferOrder.removeAll { $0 == correlationId }
        rememberEnded(correlationId)
        return call
    }

    /// The connection was lost: every call on the wire ends (``RPCError/clientOffline``); buffered
    /// calls stay.
    package mutating func connectionLost() -> [Call] {
        let lost = calls.values.filter { $0.phase != .buffered }.sorted { $0.correlationId < $1.correlationId }
        for call in lost {
            calls[call.correlationId] = nil
            rememberEnded(call.correlationId)
        }
        return lost
    }

    /// The server closed the connection with close code 1009 ("message too big"): the largest REQUEST
    /// it has not yet accepted (ties go to the greater correlation id) is the one it refused. That call ends here, so
    /// the caller learns why instead of "client offline"; the others end with the connection as usual.
    package mutating func blameOversize(closeCode: Int) -> (call: Call, error: RPCError)? {
        let suspects = calls.values.filter { $0.phase == .sent }
        guard let culprit = suspects.max(by: { ($0.size, $0.correlationId) < ($1.size, $1.correlationId) }),
            let call = end(culprit.correlationId)
        else { return nil }
        return (call, .messageTooBig(size: call.size, limit: .server(closeCode: closeCode)))
    }

    /// Logged in again: the buffered calls go out, oldest first.
    package mutating func flushBuffer() -> [Message] {
        defer { bufferOrder.removeAll() }
        return bufferOrder.compactMap { cid in
            guard var call = calls[cid] else { return nil }
            call.phase = .sent
            calls[cid] = call
            return call.request
        }
    }

    /// The offline buffer window ended: the buffered calls end, oldest first.
    package mutating func expireBuffer() -> [Call] {
        defer { bufferOrder.removeAll() }
        return bufferOrder.compactMap { cid in calls.removeValue(forKey: cid) }
    }

    /// The engine stopped: every call ends.
    package mutating func endAll() -> [Call] {
        let all = calls.values.sorted { $0.correlationId < $1.correlationId }
        for call in all { rememberEnded(call.correlationId) }
        calls.removeAll()
        bufferOrder.removeAll()
        return all
    }

    private mutating func rememberEnded(_ cid: String) {
        guard endedLocally.insert(cid).inserted else { return }
        endedOrder.append(cid)
        if endedOrder.count > Self.lateReplyMemory {
            endedLocally.remove(endedOrder.removeFirst())
        }
    }

    private static func parse(_ data: String?) -> Result<JSONValue?, RPCError> {
        guard let data else { return .success(nil) }
        do { return .success(try JSONValue(parsing: data)) } catch { return .failure(.invalidResponseData("\(error)")) }
    }
}
