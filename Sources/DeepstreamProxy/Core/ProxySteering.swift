import DeepstreamProtocol
import RPCSteering

/// Steering rules applied by the proxy to one connection's ws-binary frames (pure; docs/rules.md).
///
/// The proxy sees each client connection on its own, so a rule acts where its action can: `fail` and
/// `delay` (request) on the requestor's connection, at its REQUEST; `reject`, `drop-response` and
/// `delay` (`"on": "response"`) on the provider's connection, at the REQUEST the server sends it and
/// at the provider's answer. Rules keep their file numbers; on each side only the rules whose action
/// acts there are tried (first match whose rate fires, as on the broker). `provider` filters see this
/// connection's user on the provider's side and never match on the requestor's side; `requestor`
/// filters see the requestor's user (on the provider's side: the REQUEST's requestorName, when the
/// server sends it).
package struct ProxySteering: Sendable {
    /// What to do with one frame.
    package enum Action: Hashable, Sendable {
        /// Forward it as it came.
        case forward
        /// Do not forward it.
        case drop
        /// Do not forward it; send this ws-binary payload to the client instead (server→client frame).
        case answerClient([UInt8])
        /// Do not forward it; send this ws-binary payload to the server on the client's behalf
        /// (a masked client→server frame).
        case answerServer([UInt8])
        /// Forward it after this many milliseconds; frames behind it on the same side wait too.
        case delay(milliseconds: Int)
    }

    /// One decision: the action, and the timeline step when a rule fired.
    package struct Outcome: Hashable, Sendable {
        /// What to do with the frame.
        package var action: Action
        /// The steering step for the call's timeline, when a rule fired.
        package var step: CallStep?
        /// The call's RPC name, when a rule fired.
        package var name: String?
        /// The call's correlation id as this connection sees it, when a rule fired.
        package var correlationId: String?

        static let forward = Outcome(action: .forward, step: nil)

        /// Creates an outcome.
        package init(action: Action, step: CallStep?, name: String? = nil, correlationId: String? = nil) {
            self.action = action
            self.step = step
            self.name = name
            self.correlationId = correlationId
        }
    }

    private var requestorRules = SteeringRules()
    private var providerRules = SteeringRules()
    private let codec = BinaryCodec()
    private var random: any RandomNumberGenerator & Sendable
    /// The user this connection logged in as (from its AUTH request).
    package private(set) var user: String?
    /// Calls this connection's client serves whose answer a rule steers, by correlation id.
    private var answers: [String: SteeringDecision] = [:]
    /// RPC names this connection's client provides that the console switched off.
    package private(set) var switchedOff: Set<String> = []
    /// At most this many steered answers are remembered (a provider that never answers cannot grow it).
    private static let answerLimit = 10_000

    /// Creates the steering of one connection.
    package init(rules: SteeringRules, random: some RandomNumberGenerator & Sendable) {
        self.random = random
        replaceRules(rules)
    }

    /// Puts new rules in force (the console's Rules overlay); decisions already taken stand.
    package mutating func replaceRules(_ rules: SteeringRules) {
        var requestor = rules, provider = rules
        for index in rules.rules.indices {
            switch rules.rules[index].action {
            case .fail, .delayRequest: provider.rules[index].isEnabled = false
            case .reject, .dropResponse, .delayResponse: requestor.rules[index].isEnabled = false
            case .hold:
                // Holding is the console's, on the embedded broker: the proxy forwards such calls.
                requestor.rules[index].isEnabled = false
                provider.rules[index].isEnabled = false
            }
        }
        requestorRules = requestor
        providerRules = provider
    }

    /// Switches this client's provider registration `name` off (its REQUESTs are answered with REJECT
    /// on its behalf) or on.
    package mutating func setSwitchedOff(_ name: String, _ off: Bool) {
        if off { switchedOff.insert(name) } else { switchedOff.remove(name) }
    }

    /// A frame from the client to the server.
    package mutating func clientFrame(_ frame: CutFrame) -> Outcome {
        guard let message = decode(frame) else { return .forward }
        switch message {
        case .auth(let auth) where auth.action == .request:
            user = Self.userName(in: auth.data)
            return .forward
        case .rpc(let rpc):
            if rpc.action == .unprovide, !switchedOff.isEmpty {
                // The switch lives as long as the registration, as on the broker.
                for name in rpc.names { switchedOff.remove(name) }
            }
            return clientRPC(rpc)
        default:
            return .forward
        }
    }

    /// A frame from the server to the client.
    package mutating func serverFrame(_ frame: CutFrame) -> Outcome {
        guard case .rpc(let rpc)? = decode(frame), rpc.action == .request, let name = rpc.name,
            let correlationId = rpc.correlationId
        else { return .forward }
        if !switchedOff.isEmpty, switchedOff.contains(name) {
            let reject = Message.rpc(RPCMessage(action: .reject, correlationId: correlationId, name: name))
            return Outcome(action: .answerServer(codec.encode(reject)), step: SwitchedOffProvider.step, name: name, correlationId: correlationId)
        }
        var generator = random
        defer { random = generator }
        guard let decision = providerRules.decide(name: name, requestor: rpc.requestorName, provider: user, using: &generator)
        else { return .forward }
        switch decision.action {
        case .reject:
            // Answered on the provider's behalf: the server reroutes or answers NO_RPC_PROVIDER.
            let reject = Message.rpc(RPCMessage(action: .reject, correlationId: correlationId, name: name))
            return Outcome(action: .answerServer(codec.encode(reject)), step: decision.step, name: name, correlationId: correlationId)
        case .dropResponse, .delayResponse:
            if answers.count >= Self.answerLimit { answers.removeAll() }
            answers[correlationId] = decision
            return .forward
        case .fail, .delayRequest, .hold:
            return .forward
        }
    }

    private mutating func clientRPC(_ rpc: RPCMessage) -> Outcome {
        guard let name = rpc.name, let correlationId = rpc.correlationId else { return .forward }
        switch rpc.action {
        case .request:
            var generator = random
            defer { random = generator }
            guard let decision = requestorRules.decide(name: name, requestor: user, provider: nil, using: &generator)
            else { return .forward }
            switch decision.action {
            case .fail(let error):
                let answer = Message.rpc(RPCMessage(action: .requestError, data: error.jsonText, correlationId: correlationId, name: name))
                return Outcome(action: .answerClient(codec.encode(answer)), step: decision.step, name: name, correlationId: correlationId)
            case .delayRequest:
                return Outcome(action: .delay(milliseconds: decision.delayMilliseconds), step: decision.step, name: name, correlationId: correlationId)
            default:
                return .forward
            }
        case .response, .requestError:
            guard let decision = answers.removeValue(forKey: correlationId) else { return .forward }
            switch decision.action {
            case .dropResponse:
                return Outcome(action: .drop, step: decision.step, name: name, correlationId: correlationId)
            case .delayResponse:
                return Outcome(action: .delay(milliseconds: decision.delayMilliseconds), step: decision.step, name: name, correlationId: correlationId)
            default:
                return .forward
            }
        case .reject:
            answers[correlationId] = nil
            return .forward
        default:
            return .forward
        }
    }

    private func decode(_ frame: CutFrame) -> Message? {
        // Binary, whole, uncompressed frames only; everything else goes through untouched.
        guard frame.opcode == 2, frame.isFinal, !frame.isCompressed else { return nil }
        return try? codec.decode(frame.payload)
    }

    /// The `username` of auth data, if it has one.
    static func userName(in data: String?) -> String? {
        guard let data, case .object(let object)? = try? JSONValue(parsing: data) else { return nil }
        if case .string(let name)? = object["username"] { return name }
        return nil
    }
}
