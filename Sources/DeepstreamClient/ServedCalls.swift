import DeepstreamProtocol

/// Bookkeeping of the requests this engine serves for its providers, as a pure value — the provider
/// side's counterpart of ``OutgoingCalls``: which requests are open, what a handler's answer puts on
/// the wire, and which call steps to report (spec §4 #8–#16).
///
/// The engine feeds it REQUESTs (with the route ``ProviderRegistry`` chose) and the handlers' answers
/// (``RPCResponse/Envelope``s), and performs the outputs: sending, invoking a handler, reporting.
package struct ServedCalls: Sendable {
    /// One open request.
    package struct Call: Hashable, Sendable {
        /// RPC name.
        package var name: String
        /// The requestor's details as the server sent them.
        package var requestor: RequestorDetails?
    }

    /// Something the shell must do or report.
    package enum Output: Hashable, Sendable {
        /// Send this message.
        case send(Message)
        /// Call the handler of `name`.
        case invoke(name: String, correlationId: String, data: JSONValue?, requestor: RequestorDetails?)
        /// Report a step of a served call.
        case step(correlationId: String, name: String, CallStep, requestor: RequestorDetails?)
        /// Report an error event.
        case error(kind: String, message: String)
    }

    /// The largest message the engine sends; bigger answers become REQUEST_ERROR `MESSAGE_TOO_LARGE`.
    package let maxMessageSize: Int
    private var calls: [String: Call] = [:]

    /// Creates an empty table.
    package init(maxMessageSize: Int) {
        self.maxMessageSize = maxMessageSize
    }

    /// The number of requests not yet answered.
    package var count: Int { calls.count }

    /// Whether `correlationId` is an open request.
    package func isOpen(_ correlationId: String) -> Bool { calls[correlationId] != nil }

    /// A REQUEST forwarded by the server, routed by the provider registry.
    package mutating func received(_ m: RPCMessage, route: ProviderRegistry.RequestRoute) -> [Output] {
        let requestor: RequestorDetails? =
            m.requestorName == nil && m.requestorData == nil
            ? nil
            : RequestorDetails(
                name: m.requestorName,
                data: m.requestorData.map { text in (try? JSONValue(parsing: text)) ?? .string(text) })
        switch route {
        case .malformed:
            return [.error(kind: "INVALID_MESSAGE", message: "REQUEST without name or correlation id")]
        case .reject(let reject):
            let cid = m.correlationId ?? ""
            let name = m.name ?? ""
            return [
                .step(correlationId: cid, name: name, .requested(data: m.data), requestor: requestor),
                .send(reject),
                .step(correlationId: cid, name: name, .rejected(by: .unidentified), requestor: requestor),
            ]
        case .invoke:
            guard let name = m.name, let cid = m.correlationId else { return [] }
            var out: [Output] = [.step(correlationId: cid, name: name, .requested(data: m.data), requestor: requestor)]
            let data: JSONValue?
            do {
                data = try m.data.map { text throws(JSONParseError) in try JSONValue(parsing: text) }
            } catch {
                out.append(.error(kind: "INVALID_MESSAGE_DATA", message: "request data is not JSON: \(error)"))
                let refusal = JSONValue.string("INVALID_MESSAGE_DATA").jsonText
                out.append(.send(.rpc(RPCMessage(action: .requestError, data: refusal, correlationId: cid, name: name))))
                out.append(.step(correlationId: cid, name: name, .errored(data: refusal), requestor: requestor))
                return out
            }
            calls[cid] = Call(name: name, requestor: requestor)
            out.append(.invoke(name: name, correlationId: cid, data: data, requestor: requestor))
            return out
        }
    }

    /// A handler's answer. `live` is whether the connection the request came in on is still the open
    /// one; answers for a lost connection are dropped (the server has already failed the call).
    package mutating func answered(_ envelope: RPCResponse.Envelope, live: Bool) -> [Output] {
        let cid = envelope.correlationId
        switch envelope.command {
        case .misuse(let text):
            return [.error(kind: "RPC_ALREADY_COMPLETED", message: text)]
        case .unanswered:
            guard let call = calls.removeValue(forKey: cid) else { return [] }
            return [.step(correlationId: cid, name: call.name, .abandoned(reason: "not answered"), requestor: call.requestor)]
        case .accept, .reject, .respond, .fail:
            break
        }
        guard live, let call = calls[cid] else { return [] }
        var message = RPCMessage(action: .accept, correlationId: cid, name: envelope.name)
        var step: CallStep
        switch envelope.command {
        case .reject:
            message.action = .reject
            step = .rejected(by: .unidentified)
        case .respond(let value):
            message.action = .response
            message.data = value?.jsonText
            step = .responded(data: message.data)
        case .fail(let value):
            message.action = .requestError
            message.data = value?.jsonText
            step = .errored(data: message.data)
        case .accept, .misuse, .unanswered:
            step = .accepted(by: .unidentified)
        }
        var out: [Output] = []
        let size = BinaryCodec.encodedSize(of: .rpc(message))
        if size > maxMessageSize {
            out.append(.error(
                kind: "MESSAGE_TOO_LARGE",
                message: "\(message.action.name) for \(envelope.name) is \(size) bytes (limit \(maxMessageSize)); sent REQUEST_ERROR instead"))
            message.action = .requestError
            message.data = JSONValue.string("MESSAGE_TOO_LARGE").jsonText
            step = .errored(data: message.data)
        }
        out.append(.send(.rpc(message)))
        if step.isFinal || message.action == .reject { calls[cid] = nil }
        out.append(.step(correlationId: cid, name: envelope.name, step, requestor: call.requestor))
        return out
    }

    /// The connection went away: every open request is abandoned (the server fails it for the
    /// requestor), in correlation id order.
    package mutating func abandonAll() -> [Output] {
        defer { calls.removeAll() }
        return calls.sorted { $0.key < $1.key }.map { cid, call in
            .step(
                correlationId: cid, name: call.name, .abandoned(reason: RPCError.clientOffline.name),
                requestor: call.requestor)
        }
    }
}
