import DeepstreamCluster
import DeepstreamProtocol

/// `watch --cluster`: the cluster feed as JSON Lines. Calls and providers use the shared vocabulary
/// of ``EventJSONLines`` with node names added (`requestorNode`, `providerNode`, `node`); nodes, the
/// Redis connection and warnings have their own objects (shapes in docs/cluster.md).
struct ClusterJSONLines {
    private var names: [PeerID: String] = [:]

    /// The object for one feed event; `nil` for events that another object already covers (a node's
    /// `connected` / `loggedIn` / `disconnected` are its `node` objects).
    mutating func object(for event: ClusterFeedEvent, redis: RedisEndpoint) -> JSONValue? {
        switch event {
        case .connection(let connection):
            return Self.object(for: connection, redis: redis)
        case .cluster(.node(let node)):
            names[node.peer] = node.node
            var o = JSONObject()
            Self.head(&o, node.at, "node")
            o["node"] = .string(node.node)
            o["peer"] = .int(Int(node.peer.rawValue))
            o["change"] = .string(String(describing: node.change))
            o["state"] = .string(node.change == .silent ? "gone" : "alive")
            o["leaderScore"] = node.leaderScore.map(JSONValue.double)
            o["role"] = node.role.map(JSONValue.string)
            o["lastStatus"] = node.lastStatus.map(Self.time)
            o["leader"] = node.leader.map(JSONValue.string)
            return .object(o)
        case .cluster(.nodeState):
            // The console's Nodes view; `node` objects already carry each change.
            return nil
        case .cluster(.warning(let warning)):
            var o = JSONObject()
            Self.head(&o, warning.at, "warning")
            o["kind"] = .string(warning.kind.rawValue)
            o["node"] = warning.node.map(JSONValue.string)
            o["name"] = warning.name.map(JSONValue.string)
            o["message"] = .string(warning.message)
            return .object(o)
        case .cluster(.traffic(let traffic)):
            switch traffic {
            case .connected(let peer, let name, _, _):
                names[peer] = name
                return nil
            case .loggedIn, .disconnected, .loginFailed, .frame, .payloadsNotKept:
                return nil
            case .providerAdded(let peer, _, _), .providerRemoved(let peer, _, _):
                guard case .object(var o)? = EventJSONLines.object(for: traffic, frames: false) else { return nil }
                o["node"] = names[peer].map(JSONValue.string)
                return .object(o)
            case .call(let call):
                guard case .object(var o) = EventJSONLines.object(for: call, event: "call", requestor: nil) else { return nil }
                o["requestorNode"] = call.call.requestor.flatMap { names[$0] }.map(JSONValue.string)
                switch call.step {
                case .routed(let peer), .accepted(let peer), .rejected(let peer):
                    o["providerNode"] = names[peer].map(JSONValue.string)
                default: break
                }
                return .object(o)
            }
        }
    }

    /// The object for a change of the Redis connection.
    static func object(for event: BusConnectionEvent, redis: RedisEndpoint) -> JSONValue? {
        var o = JSONObject()
        switch event {
        case .connecting(let attempt, let at):
            head(&o, at, "bus")
            o["state"] = "connecting"
            o["attempt"] = .int(attempt)
        case .subscribed(let channels, let at):
            head(&o, at, "bus")
            o["state"] = "subscribed"
            o["channels"] = .array(channels.map(JSONValue.string))
            o["note"] = "read-only; same-node calls never cross the bus and are not shown"
        case .disconnected(let reason, let retryIn, let at):
            head(&o, at, "bus")
            o["state"] = "disconnected"
            o["reason"] = .string(reason)
            o["retryInSeconds"] = .double(Double(retryIn.components.seconds) + Double(retryIn.components.attoseconds) / 1e18)
        case .failed(let reason, let at):
            head(&o, at, "bus")
            o["state"] = "failed"
            o["reason"] = .string(reason)
        case .message:
            return nil
        }
        o["redis"] = .string(redis.description)
        return .object(o)
    }

    private static func head(_ o: inout JSONObject, _ at: Timestamp, _ event: String) {
        o["ts"] = time(at)
        o["event"] = .string(event)
    }

    private static func time(_ at: Timestamp) -> JSONValue {
        JSONNumber(at.description).map(JSONValue.number) ?? .string(at.description)
    }
}
