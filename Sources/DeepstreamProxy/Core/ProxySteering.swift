import DeepstreamProtocol
import RPCSteering

/// Steering rules applied by the proxy to one connection's RPC frames: ws-binary, or ws-json text frames on
/// `/deepstream-json` (pure; docs/rules.md).
///
/// The proxy sees each client connection on its own, so a rule acts where its action can: `fail`,
/// `delay` (request) and `hold` on the requestor's connection, at its REQUEST (a held one is kept in
/// ``held`` until ``resolveHeld(correlationId:_:)``); `reject`, `drop-response` and
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
        /// Do not forward it; send this payload (the connection's format) to the client instead (server→client frame).
        case answerClient([UInt8])
        /// Do not forward it; send this payload (the connection's format) to the server on the client's behalf
        /// (a masked client→server frame).
        case answerServer([UInt8])
        /// Forward it after this many milliseconds; frames behind it on the same side wait too.
        case delay(milliseconds: Int)
        /// A provider's answer: forward it after this many milliseconds, like ``delay(milliseconds:)``;
        /// it is observed when it goes on (that is when the requestor gets it), not when it arrived.
        case delayAnswer(milliseconds: Int)
        /// Do not forward it: a `hold` rule keeps the REQUEST here until the console resolves it
        /// (``resolveHeld(correlationId:_:)``); frames behind it go on.
        case hold
        /// Send these frame bytes to the server as they are (a held REQUEST released unchanged).
        case releaseRaw([UInt8])
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
    /// The requestor's rules without its `hold` rules: used while ``heldLimit`` calls are held.
    private var requestorRulesWithoutHold = SteeringRules()
    private var providerRules = SteeringRules()
    private let codec = BinaryCodec()
    private let jsonCodec = JSONCodec()
    /// The connection's wire format: binary frames (`/deepstream`) or JSON text frames
    /// (`/deepstream-json`); frames the proxy makes use the same.
    package let format: WireFormat
    private var random: any RandomNumberGenerator & Sendable
    /// The user this connection logged in as (from its AUTH request).
    package private(set) var user: String?
    /// Calls this connection's client serves whose answer a rule steers, by correlation id.
    private var answers: [String: SteeringDecision] = [:]
    /// RPC names this connection's client provides that the console switched off.
    package private(set) var switchedOff: Set<String> = []
    /// At most this many steered answers are remembered (a provider that never answers cannot grow it).
    private static let answerLimit = 10_000
    /// REQUESTs a `hold` rule keeps on this connection, by correlation id, oldest first.
    package private(set) var held: [String: HeldRequest] = [:]
    /// The order the held REQUESTs arrived in (for ending them when the connection ends).
    private var heldOrder: [String] = []
    private var heldBytes = 0
    /// Holds a `hold` rule skipped because the connection already held ``heldLimit`` calls or
    /// ``heldByteLimit`` bytes.
    package private(set) var skippedHolds = 0
    /// The `hold-skipped` step of the last REQUEST whose hold rule was skipped, until taken
    /// (``takeSkippedHold()``).
    private var skippedHold: Outcome?
    /// At most this many calls are held per connection; beyond it `hold` rules are skipped.
    package static let heldLimit = 100
    /// At most this many bytes of held REQUEST frames per connection; beyond it `hold` rules are skipped.
    package static let heldByteLimit = 16 * 1_048_576

    /// A REQUEST a `hold` rule keeps until the console resolves it.
    package struct HeldRequest: Hashable, Sendable {
        /// The frame exactly as the client sent it (masked).
        package var raw: [UInt8]
        /// The decoded REQUEST.
        package var request: RPCMessage
        /// The hold rule's number (1-based).
        package var rule: Int
    }

    /// Whether `hold` rules keep REQUESTs (only when someone can resolve them: the console); false
    /// skips them (the call is forwarded), as `watch --proxy` does.
    package let holdsCalls: Bool

    /// Creates the steering of one connection.
    package init(
        rules: SteeringRules, random: some RandomNumberGenerator & Sendable, holdsCalls: Bool = true,
        format: WireFormat = .binary
    ) {
        self.random = random
        self.format = format
        self.holdsCalls = holdsCalls
        replaceRules(rules)
    }

    /// Puts new rules in force (the console's Rules overlay); decisions already taken stand.
    package mutating func replaceRules(_ rules: SteeringRules) {
        var requestor = rules, provider = rules
        for index in rules.rules.indices {
            switch rules.rules[index].action {
            // A held REQUEST stays on the requestor's connection: the server never sees it.
            case .fail, .delayRequest, .hold: provider.rules[index].isEnabled = false
            case .reject, .dropResponse, .delayResponse: requestor.rules[index].isEnabled = false
            }
        }
        var withoutHold = requestor
        for index in rules.rules.indices where rules.rules[index].action == .hold {
            withoutHold.rules[index].isEnabled = false
        }
        requestorRules = holdsCalls ? requestor : withoutHold
        requestorRulesWithoutHold = withoutHold
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
            return clientRPC(rpc, raw: frame.raw)
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
            return Outcome(action: .answerServer(encode(reject)), step: SwitchedOffProvider.step, name: name, correlationId: correlationId)
        }
        var generator = random
        defer { random = generator }
        guard let decision = providerRules.decide(name: name, requestor: rpc.requestorName, provider: user, using: &generator)
        else { return .forward }
        switch decision.action {
        case .reject:
            // Answered on the provider's behalf: the server reroutes or answers NO_RPC_PROVIDER.
            let reject = Message.rpc(RPCMessage(action: .reject, correlationId: correlationId, name: name))
            return Outcome(action: .answerServer(encode(reject)), step: decision.step, name: name, correlationId: correlationId)
        case .dropResponse, .delayResponse:
            if answers.count >= Self.answerLimit { answers.removeAll() }
            answers[correlationId] = decision
            return .forward
        case .fail, .delayRequest, .hold:
            return .forward
        }
    }

    private mutating func clientRPC(_ rpc: RPCMessage, raw: [UInt8]) -> Outcome {
        guard let name = rpc.name, let correlationId = rpc.correlationId else { return .forward }
        switch rpc.action {
        case .request:
            var generator = random
            defer { random = generator }
            guard var decision = requestorRules.decide(name: name, requestor: user, provider: nil, using: &generator)
            else { return .forward }
            let duplicate = decision.action == .hold && held[correlationId] != nil
            if decision.action == .hold
                && (duplicate || held.count >= Self.heldLimit || heldBytes + raw.count > Self.heldByteLimit)
            {
                // Bounded: the hold rule is skipped (counted) and the later rules get their turn.
                skippedHolds += 1
                skippedHold = Outcome(
                    action: .forward,
                    step: .steered(
                        rule: decision.rule, action: "hold-skipped",
                        detail: duplicate
                            ? "a call with this correlation id is already held"
                            : "\(held.count) held on this connection (at most \(Self.heldLimit) calls, \(Self.heldByteLimit / 1_048_576) MiB)"),
                    name: name, correlationId: correlationId)
                guard let next = requestorRulesWithoutHold.decide(name: name, requestor: user, provider: nil, using: &generator)
                else { return .forward }
                decision = next
            }
            switch decision.action {
            case .hold:
                held[correlationId] = HeldRequest(raw: raw, request: rpc, rule: decision.rule)
                heldOrder.append(correlationId)
                heldBytes += raw.count
                return Outcome(action: .hold, step: decision.step, name: name, correlationId: correlationId)
            case .fail(let error):
                let answer = Message.rpc(RPCMessage(action: .requestError, data: error.jsonText, correlationId: correlationId, name: name))
                return Outcome(action: .answerClient(encode(answer)), step: decision.step, name: name, correlationId: correlationId)
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
                return Outcome(action: .delayAnswer(milliseconds: decision.delayMilliseconds), step: decision.step, name: name, correlationId: correlationId)
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

    /// The console's answer to a held REQUEST (``HeldCallResolution``): what to send, and the timeline
    /// step. Nil when no REQUEST with that id is held (resolved already, ended) or when typed data is not
    /// JSON. `release` goes to the server (unchanged: the original bytes; edited: a new REQUEST with the
    /// same name and correlation id); `respond`/`fail` answer the client with RESPONSE / REQUEST_ERROR;
    /// `reject` answers it NO_RPC_PROVIDER, as the server does when no provider takes a call (the
    /// server never saw this one, so there is nobody to reroute to); `drop` sends nothing.
    package mutating func resolveHeld(correlationId: String, _ resolution: HeldCallResolution) -> Outcome? {
        guard let entry = held[correlationId] else { return nil }
        switch resolution {
        case .release(let data?), .respond(let data), .fail(let data):
            guard JSONSyntax.isValid(data) else { return nil }
        case .release(nil), .reject, .drop:
            break
        }
        removeHeld(correlationId)
        let name = entry.request.name ?? ""
        var step = resolution.step(rule: entry.rule)
        let action: Action
        switch resolution {
        case .release(nil):
            action = .releaseRaw(entry.raw)
        case .release(let data?):
            var request = entry.request
            request.data = data
            action = .answerServer(encode(.rpc(request)))
        case .respond(let data):
            action = .answerClient(encode(.rpc(RPCMessage(action: .response, data: data, correlationId: correlationId, name: name))))
        case .fail(let error):
            action = .answerClient(encode(.rpc(RPCMessage(action: .requestError, data: error, correlationId: correlationId, name: name))))
        case .reject:
            step = .steered(rule: entry.rule, action: "rejected-by-hand", detail: "NO_RPC_PROVIDER")
            action = .answerClient(encode(.rpc(RPCMessage(action: .noRPCProvider, correlationId: correlationId, name: name))))
        case .drop:
            action = .drop
        }
        return Outcome(action: action, step: step, name: name, correlationId: correlationId)
    }

    /// The `hold-skipped` timeline step of the frame just decided, if its hold rule was skipped (once).
    package mutating func takeSkippedHold() -> Outcome? {
        defer { skippedHold = nil }
        return skippedHold
    }

    /// Forgets every held REQUEST (the connection ended), oldest first: name and correlation id.
    package mutating func endHeld() -> [(name: String, correlationId: String)] {
        let ended = heldOrder.compactMap { id in held[id].map { ($0.request.name ?? "", id) } }
        held.removeAll()
        heldOrder.removeAll()
        heldBytes = 0
        return ended
    }

    private mutating func removeHeld(_ correlationId: String) {
        guard let entry = held.removeValue(forKey: correlationId) else { return }
        heldBytes -= entry.raw.count
        if let index = heldOrder.firstIndex(of: correlationId) { heldOrder.remove(at: index) }
    }

    /// The opcode of the connection's frames: 2 (binary) or 1 (text, the JSON endpoint).
    package var opcode: UInt8 { format == .binary ? 2 : 1 }

    private func decode(_ frame: CutFrame) -> Message? {
        // Whole, uncompressed frames of the connection's format only; everything else goes through untouched.
        guard frame.opcode == opcode, frame.isFinal, !frame.isCompressed else { return nil }
        switch format {
        case .binary: return try? codec.decode(frame.payload)
        case .json: return try? jsonCodec.decode(frame.payload)
        }
    }

    private func encode(_ message: Message) -> [UInt8] {
        switch format {
        case .binary: codec.encode(message)
        case .json: Array(jsonCodec.encode(message).utf8)
        }
    }

    /// The `username` of auth data, if it has one.
    static func userName(in data: String?) -> String? {
        guard let data, case .object(let object)? = try? JSONValue(parsing: data) else { return nil }
        if case .string(let name)? = object["username"] { return name }
        return nil
    }
}
