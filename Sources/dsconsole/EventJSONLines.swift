import DeepstreamClient
import DeepstreamProtocol

/// Turns traffic and engine events into the JSON Lines objects `dsconsole watch` prints (one object
/// per line; shapes in docs/commands.md).
///
/// Every object has `ts` (seconds since the epoch, millisecond precision) and `event`. Payloads that
/// are JSON text on the wire are embedded as JSON values; text that does not parse is kept as a
/// string under `dataText`.
enum EventJSONLines {
    /// The object for a broker tap event; `nil` for a frame when `frames` is off, and for the
    /// recording-only `payloadsNotKept`.
    static func object(for event: TrafficEvent, frames: Bool) -> JSONValue? {
        var o = JSONObject()
        switch event {
        case .connected(let peer, let remoteAddress, let format, let at):
            head(&o, at, "connected")
            o["peer"] = .int(Int(peer.rawValue))
            o["remoteAddress"] = .string(remoteAddress)
            o["format"] = .string(format.rawValue)
        case .loggedIn(let peer, let user, let clientData, let at):
            head(&o, at, "loggedIn")
            o["peer"] = .int(Int(peer.rawValue))
            o["user"] = .string(user)
            o["clientData"] = clientData
        case .loginFailed(let peer, let user, let at):
            head(&o, at, "loginFailed")
            o["peer"] = .int(Int(peer.rawValue))
            o["user"] = user.map(JSONValue.string)
        case .disconnected(let peer, let reason, let at):
            head(&o, at, "disconnected")
            o["peer"] = .int(Int(peer.rawValue))
            o["reason"] = .string(reason)
        case .frame(let peer, let direction, let message, let byteCount, let at):
            guard frames else { return nil }
            head(&o, at, "frame")
            o["peer"] = .int(Int(peer.rawValue))
            frame(&o, direction, message, byteCount)
        case .providerAdded(let peer, let name, let at):
            head(&o, at, "providerAdded")
            o["peer"] = .int(Int(peer.rawValue))
            o["name"] = .string(name)
        case .providerRemoved(let peer, let name, let at):
            head(&o, at, "providerRemoved")
            o["peer"] = .int(Int(peer.rawValue))
            o["name"] = .string(name)
        case .call(let call):
            return object(for: call, event: "call", requestor: nil)
        case .payloadsNotKept:
            // Only `dsconsole open` makes it (from a recording), and nothing writes JSON Lines there.
            return nil
        }
        return .object(o)
    }

    /// The object for a client engine event; `nil` for a frame when `frames` is off.
    static func object(for event: EngineEvent, frames: Bool) -> JSONValue? {
        var o = JSONObject()
        switch event {
        case .stateChanged(let from, let to, let at):
            head(&o, at, "state")
            o["from"] = .string(from.rawValue)
            o["to"] = .string(to.rawValue)
        case .loggedIn(let clientData, let at):
            head(&o, at, "loggedIn")
            o["clientData"] = clientData
        case .loginFailed(let reason, let at):
            head(&o, at, "loginFailed")
            o["reason"] = reason
        case .frame(let direction, let message, let byteCount, let at):
            guard frames else { return nil }
            head(&o, at, "frame")
            frame(&o, direction, message, byteCount)
        case .outgoingCall(let call):
            return object(for: call, event: "call", requestor: nil)
        case .servedCall(let call, let requestor):
            return object(for: call, event: "served", requestor: requestor)
        case .providerAcknowledged(let name, let provided, let at):
            head(&o, at, provided ? "provided" : "unprovided")
            o["name"] = .string(name)
        case .providerRefused(let name, let reason, let at):
            head(&o, at, "provideRefused")
            o["name"] = .string(name)
            o["reason"] = .string(reason.name)
        case .error(let kind, let message, let at):
            head(&o, at, "error")
            o["kind"] = .string(kind)
            o["message"] = .string(message)
        case .traffic(let traffic):
            return object(for: traffic, frames: frames)
        case .dropped(let count):
            o["event"] = "dropped"
            o["count"] = .int(count)
        }
        return .object(o)
    }

    /// The object for one step of a call.
    static func object(for call: CallEvent, event: String, requestor: RequestorDetails?) -> JSONValue {
        var o = JSONObject()
        head(&o, call.at, event)
        o["call"] = .string(call.call.description)
        o["requestor"] = call.call.requestor.map { .int(Int($0.rawValue)) }
        o["correlationId"] = .string(call.call.correlationId)
        o["name"] = .string(call.name)
        switch call.step {
        case .requested(let data):
            o["step"] = "requested"
            payload(&o, data)
        case .routed(let peer):
            o["step"] = "routed"
            o["provider"] = .int(Int(peer.rawValue))
        case .accepted(let peer):
            o["step"] = "accepted"
            o["provider"] = .int(Int(peer.rawValue))
        case .rejected(let peer):
            o["step"] = "rejected"
            o["provider"] = .int(Int(peer.rawValue))
        case .responded(let data):
            o["step"] = "responded"
            payload(&o, data)
        case .errored(let data):
            o["step"] = "errored"
            payload(&o, data)
        case .failed(let reason):
            o["step"] = "failed"
            o["reason"] = .string(reason.name)
        case .denied(let rule, let reason):
            o["step"] = "denied"
            o["reason"] = .string(reason.name)
            o["rule"] = .string(rule)
        case .abandoned(let reason):
            o["step"] = "abandoned"
            o["reason"] = .string(reason)
        case .steered(let rule, let action, let detail):
            o["step"] = "steered"
            o["rule"] = .int(rule)
            o["action"] = .string(action)
            o["detail"] = detail.map(JSONValue.string)
        }
        o["final"] = .bool(call.step.isFinal)
        if let requestor {
            o["requestorName"] = requestor.name.map(JSONValue.string)
            o["requestorData"] = requestor.data
        }
        return .object(o)
    }

    private static func head(_ o: inout JSONObject, _ at: Timestamp, _ event: String) {
        o["ts"] = JSONNumber(at.description).map(JSONValue.number) ?? .string(at.description)
        o["event"] = .string(event)
    }

    private static func frame(_ o: inout JSONObject, _ direction: FrameDirection, _ message: Message?, _ byteCount: Int) {
        o["direction"] = .string(direction.rawValue)
        o["bytes"] = .int(byteCount)
        o["message"] = message.map(JSONCodec.object(for:)) ?? .null
    }

    private static func payload(_ o: inout JSONObject, _ text: String?) {
        guard let text else { return }
        if let value = try? JSONValue(parsing: text) {
            o["data"] = value
        } else {
            o["dataText"] = .string(text)
        }
    }
}
