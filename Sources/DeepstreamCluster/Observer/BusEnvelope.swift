import DeepstreamProtocol

/// One message of deepstream's Redis cluster bus: `{"fromServer", "toServer"?, "message"}` (the
/// clusternode-redis connector's envelope; see docs/cluster.md).
package struct BusEnvelope: Hashable, Sendable {
    /// The sender's serverName.
    package var fromServer: String
    /// The addressee for a direct message; `nil` for a broadcast.
    package var toServer: String?
    /// The server's internal message object (numeric `topic` and `action`).
    package var message: JSONObject
    /// `message.topic`.
    package var topic: Int
    /// `message.action`.
    package var action: Int

    /// Why a payload is not an envelope.
    package enum DecodeError: Error, Hashable, Sendable, CustomStringConvertible {
        /// Not JSON text.
        case notJSON(String)
        /// JSON, but not `{fromServer: string, message: {topic: number, action: number}}`.
        case badShape(String)

        /// One line for people.
        package var description: String {
            switch self {
            case .notJSON(let reason): "payload is not JSON (\(reason))"
            case .badShape(let reason): "payload is not a deepstream envelope (\(reason))"
            }
        }
    }

    /// Decodes a PUBLISH payload.
    package init(payload: [UInt8]) throws(DecodeError) {
        let value: JSONValue
        do { value = try JSONValue(parsing: payload) } catch { throw .notJSON("\(error)") }
        guard case .object(let envelope) = value else { throw .badShape("not an object") }
        guard let from = envelope["fromServer"]?.stringValue else { throw .badShape("no fromServer") }
        guard case .object(let message)? = envelope["message"] else { throw .badShape("no message object") }
        guard let topic = message["topic"]?.intValue, let action = message["action"]?.intValue else {
            throw .badShape("message without numeric topic and action")
        }
        var to: String?
        if let toValue = envelope["toServer"] {
            guard let text = toValue.stringValue else { throw .badShape("toServer is not a string") }
            to = text
        }
        self.fromServer = from
        self.toServer = to
        self.message = message
        self.topic = topic
        self.action = action
    }

    /// A string member of the message.
    package func string(_ key: String) -> String? { message[key]?.stringValue }
}

/// The numbers deepstream 10.1.4 uses on the bus (TOPIC, CLUSTER_ACTION, STATE_ACTION,
/// STATE_REGISTRY_TOPIC, RPC_ACTION from @deepstream/protobuf).
package enum BusNumbers {
    /// TOPIC.RPC, channel 6.
    package static let rpcTopic = 6
    /// TOPIC.CLUSTER, channel 9.
    package static let clusterTopic = 9
    /// TOPIC.STATE_REGISTRY, channel 11.
    package static let stateRegistryTopic = 11
    /// Topics deepstream publishes on (channel = topic number): EVENT, RECORD, RPC, PRESENCE, MONITORING,
    /// CLUSTER, LOCK, STATE_REGISTRY, RECORD_LISTENING, EVENT_LISTENING.
    package static let knownTopics: Set<Int> = [4, 5, 6, 7, 8, 9, 10, 11, 19, 20]
    /// The channels the observer subscribes to: only these carry membership, providers and RPCs
    /// (records and events would only add load).
    package static let observedChannels = ["6", "9", "11"]
    /// CLUSTER_ACTION.STATUS.
    package static let clusterStatus = 2
    /// CLUSTER_ACTION.REMOVE.
    package static let clusterRemove = 1
    /// STATE_REGISTRY_TOPIC.RPC_SUBSCRIPTIONS.
    package static let rpcSubscriptions = 13
    /// STATE_ACTION.ADD.
    package static let stateAdd = 2
    /// STATE_ACTION.REMOVE.
    package static let stateRemove = 3
    /// STATE_ACTION.REQUEST_FULL_STATE.
    package static let stateRequestFullState = 4
    /// STATE_ACTION.FULL_STATE.
    package static let stateFullState = 5
    /// STATE_ACTION.CHECKSUM.
    package static let stateChecksum = 6
}
