import DeepstreamProtocol
import RPCSteering

/// The RPC routing state machine (spec §4, §5, with the fixes listed in docs/broker.md). Pure: it takes
/// messages, departures and timer firings with the current time and returns ``BrokerAction``s.
///
/// Calls are keyed by (requestor connection, correlation id). The id a provider sees is the requestor's
/// own id when no other in-flight call uses it, otherwise a broker-made unique variant; replies from
/// providers are matched by that provider-side id and accepted only from the call's current provider.
///
/// Pending calls live in a slot table (`slots`, reused through `freeSlots`); the two dictionaries map
/// the requestor's key and the provider-side id to a slot, and everything else on the routing path
/// works on the slot number, so a plain call costs seven dictionary operations (issue 15, perf4).
package struct RPCRouter {
    /// Who a logged-in connection is, for requestorName / requestorData.
    struct Member {
        var user: String
        var clientData: JSONValue?
        var serverData: JSONValue?
    }

    /// One in-flight call.
    struct Call {
        var id: CallID
        var name: String
        /// The requestor's REQUEST without fields 10/11; forwarded copies get fresh requestor fields.
        var request: RPCMessage
        var providerCorrelationId: String
        var provider: PeerID
        /// Providers this call was sent to before the current one (a reroute skips them and `provider`);
        /// empty, so allocation-free, for a call that is never rerouted.
        var earlierProviders: [PeerID] = []
        var accepted = false
        /// Counted as being served by `provider`: its departure reroutes the call. False while the
        /// answer waits for a steering delay.
        var atProvider = false
        /// False for a free slot (``RPCRouter/vacant``).
        var isLive = true
        /// What a steering rule does to the current provider's answer, decided at dispatch.
        var pendingSteer: SteeringDecision?
        /// The REQUEST waits for the steering timer before it goes to the provider.
        var awaitingRelease = false
        /// The provider's answer waits for the steering timer before it goes to the requestor.
        var delayedReply: RPCMessage?
        /// The number of the `hold` rule keeping the REQUEST in the console, while it waits there.
        var heldBy: Int?
    }

    private let settings: BrokerConfiguration.RPC
    private let permissions: RPCPermissions?
    /// The steering rules (docs/rules.md); empty means every call takes the plain path.
    public var steering: SteeringRules
    /// Provider registrations switched off from the console: a dispatch to one is rejected on the
    /// provider's behalf (docs/rules.md). Entries of a connection that leaves or unprovides are dropped.
    package var switchedOff: Set<SwitchedOffProvider> = []
    /// Which ruleset decides a name (it depends on the name only), as deepstream's rule cache keeps it;
    /// emptied when it reaches ``ruleCacheCapacity`` entries so it stays bounded.
    private var ruleCache: [RuleCacheKey: Int?] = [:]
    private static let ruleCacheCapacity = 10_000

    struct RuleCacheKey: Hashable {
        var kind: RPCPermissions.Kind
        var name: String
    }
    private var random: any RandomNumberGenerator & Sendable
    private var members: [PeerID: Member] = [:]
    private var providers: [String: [PeerID]] = [:]
    private var provided: [PeerID: Set<String>] = [:]
    /// Pending calls by slot; free entries hold ``vacant`` and are listed in `freeSlots`, so the table
    /// never holds more entries than were pending at once. Not optional: reading a field through an
    /// optional element copied the whole call (profile), a plain element is read in place.
    private var slots: [Call] = []
    private static var vacant: Call {
        Call(
            id: CallID(requestor: nil, correlationId: ""), name: "", request: RPCMessage(action: .request),
            providerCorrelationId: "", provider: PeerID(0), isLive: false)
    }
    private var freeSlots: [Int] = []
    private var slotOfCall: [CallID: Int] = [:]
    private var slotOfProviderId: [String: Int] = [:]

    /// When set, new REQUESTs are answered NO_RPC_PROVIDER (the broker is shutting down).
    package var isDraining = false

    /// When false, the steps of a normal call (requested, routed, accepted, answered) produce no
    /// `.tap` actions; the IO shell clears it while the tap has no subscriber, so those events are
    /// not even built (issue 15). Other tap actions are unaffected.
    package var emitsCallEvents = true

    /// Creates a router; `random` chooses among providers; `permissions` (nil: everything allowed)
    /// decide PROVIDE and REQUEST.
    package init(
        settings: BrokerConfiguration.RPC, permissions: RPCPermissions? = nil, steering: SteeringRules = SteeringRules(),
        random: some RandomNumberGenerator & Sendable
    ) {
        self.settings = settings
        self.permissions = permissions
        self.steering = steering
        self.random = random
    }

    /// Calls not yet answered.
    package var pendingCallCount: Int { slotOfCall.count }

    /// How many slots the pending-call table has grown to (in use or free): it grows only when no
    /// freed slot is left.
    package var slotCapacity: Int { slots.count }

    /// The provider a pending call was last sent to and whether it accepted; `nil` when the call is
    /// not pending.
    public func pendingCall(_ id: CallID) -> (provider: PeerID, accepted: Bool)? {
        guard let slot = slotOfCall[id] else { return nil }
        return (slots[slot].provider, slots[slot].accepted)
    }

    /// The connections providing `name`, in registration order.
    package func providers(of name: String) -> [PeerID] { providers[name] ?? [] }

    /// A connection logged in as `user`.
    package mutating func join(_ peer: PeerID, user: String, clientData: JSONValue?, serverData: JSONValue? = nil) {
        members[peer] = Member(user: user, clientData: clientData, serverData: serverData)
    }

    /// Handles one RPC message from a logged-in connection.
    package mutating func receive(_ message: RPCMessage, from peer: PeerID, at now: Timestamp) -> [BrokerAction] {
        var actions: [BrokerAction] = []
        receive(message, from: peer, at: now, into: &actions)
        return actions
    }

    /// Handles one RPC message from a logged-in connection, appending the actions to `actions`.
    /// `message` is consumed: the REQUEST is stored and a reply forwarded without copying them.
    package mutating func receive(
        _ message: consuming RPCMessage, from peer: PeerID, at now: Timestamp, into actions: inout [BrokerAction]
    ) {
        switch message.action {
        case .provide: provide(message, from: peer, at: now, into: &actions)
        case .unprovide: unprovide(message, from: peer, at: now, into: &actions)
        case .request: request(consume message, from: peer, at: now, into: &actions)
        case .accept, .response, .reject, .requestError: providerReply(consume message, from: peer, at: now, into: &actions)
        default:
            // The reference server only logs UNKNOWN_ACTION here; the tap shows the frame.
            break
        }
    }

    /// A connection went away: its names are unprovided and calls it was serving are rerouted at once.
    /// Calls it requested run on; their final answer is dropped with the socket.
    package mutating func leave(_ peer: PeerID, at now: Timestamp) -> [BrokerAction] {
        var actions: [BrokerAction] = []
        members[peer] = nil
        if !switchedOff.isEmpty { switchedOff = switchedOff.filter { $0.peer != peer } }
        for name in (provided.removeValue(forKey: peer) ?? []).sorted() {
            providers[name]?.removeAll { $0 == peer }
            if providers[name]?.isEmpty == true { providers[name] = nil }
            actions.append(.tap(.providerRemoved(peer: peer, name: name, at: now)))
        }
        // A scan instead of a per-provider index: departures are rare, calls are many.
        var serving: [(id: CallID, slot: Int)] = []
        for slot in slots.indices where slots[slot].provider == peer && slots[slot].atProvider {
            slots[slot].atProvider = false
            serving.append((slots[slot].id, slot))
        }
        serving.sort { Self.callOrder($0.id, $1.id) }
        for (callID, slot) in serving {
            guard slots[slot].isLive else { continue }
            let name = slots[slot].name
            actions.append(.tap(.call(CallEvent(call: callID, name: name, step: .rejected(by: peer), at: now))))
            reroute(slot, at: now, into: &actions)
        }
        return actions
    }

    /// A timer armed by this router fired.
    package mutating func timerFired(_ timer: BrokerTimer, at now: Timestamp) -> [BrokerAction] {
        var actions: [BrokerAction] = []
        switch timer {
        case .accept(let callID):
            guard let slot = slotOfCall[callID], !slots[slot].accepted else { return [] }
            finish(slot, failing: .acceptTimeout, at: now, into: &actions)
        case .response(let callID):
            guard let slot = slotOfCall[callID] else { return [] }
            finish(slot, failing: .responseTimeout, at: now, into: &actions)
        case .steering(let callID):
            guard let slot = slotOfCall[callID] else { return [] }
            let call = slots[slot]
            if call.awaitingRelease {
                slots[slot].awaitingRelease = false
                forward(slot, at: now, into: &actions)
            } else if let reply = call.delayedReply {
                deliver(reply, slot: slot, at: now, into: &actions)
            }
        case .authentication, .heartbeat:
            break
        }
        return actions
    }

    /// Ends every pending call with `reason` sent to its requestor (shutdown).
    package mutating func failAll(with reason: RPCAction, at now: Timestamp) -> [BrokerAction] {
        var actions: [BrokerAction] = []
        for callID in slotOfCall.keys.sorted(by: Self.callOrder) {
            guard let slot = slotOfCall[callID] else { continue }
            finish(slot, failing: reason, at: now, into: &actions)
        }
        return actions
    }

    // MARK: Providers

    private mutating func provide(
        _ message: RPCMessage, from peer: PeerID, at now: Timestamp, into actions: inout [BrokerAction]
    ) {
        var names = message.names
        if permissions != nil, !names.isEmpty {
            // Each name is checked on its own; refusals go out first, and the ack only if a name is left
            // (the reference removes the wrong entry from the bulk list: docs/broker.md, deviation 15).
            names = names.filter { name in
                let refusal = self.refusal(of: .provide, name: name, data: nil, message: message, from: peer, at: now)
                if let refusal { actions.append(.send(peer, .rpc(refusal))) }
                return refusal == nil
            }
            if names.isEmpty { return }
        }
        for name in names {
            if provided[peer, default: []].insert(name).inserted {
                providers[name, default: []].append(peer)
                actions.append(.tap(.providerAdded(peer: peer, name: name, at: now)))
            } else {
                actions.append(.send(peer, .rpc(RPCMessage(
                    action: .multipleProviders, correlationId: message.correlationId, isError: true, name: name,
                    originalAction: .provide))))
            }
        }
        actions.append(.send(peer, .rpc(RPCMessage(action: .provide, correlationId: message.correlationId, isAck: true))))
    }

    private mutating func unprovide(
        _ message: RPCMessage, from peer: PeerID, at now: Timestamp, into actions: inout [BrokerAction]
    ) {
        for name in message.names where provided[peer]?.remove(name) != nil {
            if !switchedOff.isEmpty { switchedOff.remove(SwitchedOffProvider(peer: peer, name: name)) }
            providers[name]?.removeAll { $0 == peer }
            if providers[name]?.isEmpty == true { providers[name] = nil }
            actions.append(.tap(.providerRemoved(peer: peer, name: name, at: now)))
        }
        actions.append(.send(peer, .rpc(RPCMessage(
            action: .unprovide, correlationId: message.correlationId, isAck: true))))
    }

    // MARK: Requests

    private mutating func request(
        _ message: consuming RPCMessage, from peer: PeerID, at now: Timestamp, into actions: inout [BrokerAction]
    ) {
        guard let correlationId = message.correlationId, !correlationId.isEmpty,
            let name = message.name, !name.isEmpty
        else {
            actions.append(.send(peer, .rpc(RPCMessage(
                action: .invalidMessageData, correlationId: message.correlationId, isError: true, name: message.name,
                originalAction: .request))))
            return
        }
        let callID = CallID(requestor: peer, correlationId: correlationId)
        if permissions != nil {
            // The reference checks permissions before the RPC handler sees the message.
            let decision = check(.request, name: name, data: message.data, from: peer, at: now)
            if let refusal = Self.refusal(for: decision, name: name, message: message) {
                let reason = refusal.action
                let rule: String
                switch decision {
                case .denied(let label): rule = label ?? "no rpc rule for request"
                case .failed(let label, let why): rule = "\(label): \(why)"
                case .allowed(let label): rule = label
                }
                actions.append(.send(peer, .rpc(refusal)))
                actions.append(.tap(.call(CallEvent(call: callID, name: name, step: .requested(data: message.data), at: now))))
                actions.append(.tap(.call(CallEvent(call: callID, name: name, step: .denied(rule: rule, reason: reason), at: now))))
                return
            }
        }
        // One hash both looks for a running call with this id and reserves the entry for this one.
        let slot = freeSlots.last ?? slots.count
        guard Self.claim(&slotOfCall[callID, default: -1], for: slot) else {
            // Same id twice from one requestor while the first call runs: refuse the second, keep the first.
            actions.append(.send(peer, .rpc(RPCMessage(
                action: .invalidRPCCorrelationID, correlationId: correlationId, isError: true, name: name,
                originalAction: .request))))
            return
        }
        if emitsCallEvents {
            actions.append(.tap(.call(CallEvent(call: callID, name: name, step: .requested(data: message.data), at: now))))
        }
        if let data = message.data, !Self.isJSON(data) {
            slotOfCall[callID] = nil
            actions.append(.send(peer, .rpc(RPCMessage(
                action: .invalidMessageData, correlationId: correlationId, isError: true, name: name,
                originalAction: .request))))
            actions.append(.tap(.call(CallEvent(call: callID, name: name, step: .failed(reason: .invalidMessageData), at: now))))
            return
        }
        let candidates = isDraining ? [] : (providers[name] ?? [])
        guard !candidates.isEmpty else {
            slotOfCall[callID] = nil
            actions.append(.send(peer, .rpc(RPCMessage(action: .noRPCProvider, correlationId: correlationId, name: name))))
            actions.append(.tap(.call(CallEvent(call: callID, name: name, step: .failed(reason: .noRPCProvider), at: now))))
            return
        }
        var stored = consume message
        stored.requestorName = nil
        stored.requestorData = nil
        stored.isAck = nil
        stored.isError = nil
        let providerId = uniqueProviderCorrelationId(for: callID, slot: slot)
        let provider = candidates[Self.index(below: candidates.count, using: &random)]
        let call = Call(id: callID, name: name, request: stored, providerCorrelationId: providerId, provider: provider)
        if freeSlots.popLast() != nil { slots[slot] = call } else { slots.append(call) }
        dispatch(slot, at: now, into: &actions)
    }

    /// Sets a dictionary entry that `default` -1 marks as new to `slot`; false when it held a slot.
    private static func claim(_ entry: inout Int, for slot: Int) -> Bool {
        guard entry == -1 else { return false }
        entry = slot
        return true
    }

    // MARK: Permissions

    private mutating func check(
        _ kind: RPCPermissions.Kind, name: String, data: String?, from peer: PeerID, at now: Timestamp
    ) -> PermissionDecision {
        guard let permissions else { return .allowed(rule: "none") }
        let key = RuleCacheKey(kind: kind, name: name)
        let index: Int?
        if let cached = ruleCache[key] {
            index = cached
        } else {
            index = permissions.rulesetIndex(for: kind, name: name)
            if ruleCache.count >= Self.ruleCacheCapacity { ruleCache.removeAll(keepingCapacity: true) }
            ruleCache[key] = .some(index)
        }
        let member = members[peer]
        let subject = PermissionSubject(user: member?.user ?? "open", serverData: member?.serverData)
        return permissions.check(kind, name: name, rulesetIndex: index, subject: subject, data: data, now: now)
    }

    private mutating func refusal(
        of kind: RPCPermissions.Kind, name: String, data: String?, message: RPCMessage, from peer: PeerID,
        at now: Timestamp
    ) -> RPCMessage? {
        Self.refusal(for: check(kind, name: name, data: data, from: peer, at: now), name: name, message: message)
    }

    /// MESSAGE_DENIED (a rule said no) or MESSAGE_PERMISSION_ERROR (a rule threw), framed as the
    /// reference's message processor does: action, originalAction, name, correlationId, isError.
    private static func refusal(for decision: PermissionDecision, name: String, message: RPCMessage) -> RPCMessage? {
        let action: RPCAction
        switch decision {
        case .allowed: return nil
        case .denied: action = .messageDenied
        case .failed: action = .messagePermissionError
        }
        // The reference adds the correlation id only when it is truthy.
        let correlationId = message.correlationId.flatMap { $0.isEmpty ? nil : $0 }
        return RPCMessage(
            action: action, correlationId: correlationId, isError: true, name: name, originalAction: message.action)
    }

    /// The id the provider sees, registered for `slot` (one hash when the requestor's own id is free).
    private mutating func uniqueProviderCorrelationId(for callID: CallID, slot: Int) -> String {
        if Self.claim(&slotOfProviderId[callID.correlationId, default: -1], for: slot) { return callID.correlationId }
        let base = "\(callID.correlationId)~\(callID.requestor?.rawValue ?? 0)"
        var candidate = base
        var counter = 1
        while !Self.claim(&slotOfProviderId[candidate, default: -1], for: slot) {
            candidate = "\(base)~\(counter)"
            counter += 1
        }
        return candidate
    }

    /// Sends the call to its current provider, unless a steering rule fails or delays it first.
    private mutating func dispatch(_ slot: Int, at now: Timestamp, into actions: inout [BrokerAction]) {
        guard slots[slot].isLive else { return }
        // Reset in place: copying the call out and back would retain and release every field.
        slots[slot].pendingSteer = nil
        slots[slot].awaitingRelease = false
        slots[slot].heldBy = nil
        // With no provider switched off and no rule loaded, a call pays these two emptiness checks only.
        if !switchedOff.isEmpty, case let call = slots[slot],
            switchedOff.contains(SwitchedOffProvider(peer: call.provider, name: call.name))
        {
            // Rejected on the provider's behalf before it sees the request: reroute or NO_RPC_PROVIDER.
            actions.append(.tap(.call(CallEvent(call: call.id, name: call.name, step: SwitchedOffProvider.step, at: now))))
            actions.append(.tap(.call(CallEvent(call: call.id, name: call.name, step: .rejected(by: call.provider), at: now))))
            reroute(slot, at: now, into: &actions)
            return
        }
        if !steering.isEmpty, case let call = slots[slot], let decision = steeringDecision(for: call) {
            let callID = call.id
            switch decision.action {
            case .fail(let error):
                actions.append(.tap(.call(CallEvent(call: callID, name: call.name, step: decision.step, at: now))))
                let data = error.jsonText
                if let requestor = callID.requestor {
                    actions.append(.send(requestor, .rpc(RPCMessage(
                        action: .requestError, data: data, correlationId: callID.correlationId, name: call.name))))
                }
                remove(slot, into: &actions)
                actions.append(.tap(.call(CallEvent(call: callID, name: call.name, step: .errored(data: data), at: now))))
                return
            case .delayRequest:
                slots[slot].awaitingRelease = true
                // Counted at the provider so a departure while the request waits reroutes it as usual.
                slots[slot].atProvider = true
                actions.append(.tap(.call(CallEvent(call: callID, name: call.name, step: decision.step, at: now))))
                // A reroute left the previous provider's deadlines armed; they restart on release.
                actions.append(.cancelTimer(.accept(callID)))
                actions.append(.cancelTimer(.response(callID)))
                actions.append(.armTimer(
                    .steering(callID), deadline: now.advanced(by: .milliseconds(decision.delayMilliseconds))))
                return
            case .hold:
                slots[slot].heldBy = decision.rule
                // Counted at the provider so a departure while it is held reroutes it as usual.
                slots[slot].atProvider = true
                actions.append(.tap(.call(CallEvent(call: callID, name: call.name, step: decision.step, at: now))))
                // Only the response deadline runs while the call waits for the user (the accept
                // deadline would end it within a second); both restart when it is released.
                actions.append(.cancelTimer(.accept(callID)))
                actions.append(.armTimer(.response(callID), deadline: now.advanced(by: settings.responseTimeout)))
                return
            case .delayResponse, .reject, .dropResponse:
                slots[slot].pendingSteer = decision
            }
        }
        forward(slot, at: now, into: &actions)
    }

    /// The steering rule that fires for the call at its current provider, if any.
    private mutating func steeringDecision(for call: Call) -> SteeringDecision? {
        let requestorUser = call.id.requestor.flatMap { members[$0]?.user }
        let providerUser = members[call.provider]?.user
        let rules = steering
        return rules.decide(name: call.name, requestor: requestorUser, provider: providerUser, using: &random)
    }

    /// Sends the call to its current provider and (re)arms both timers.
    private mutating func forward(_ slot: Int, at now: Timestamp, into actions: inout [BrokerAction]) {
        guard slots[slot].isLive else { return }
        var forward = slots[slot].request
        // Field by field: a copy of the whole call would retain and release every string in it.
        let callID = slots[slot].id
        let provider = slots[slot].provider
        forward.correlationId = slots[slot].providerCorrelationId
        if settings.provideRequestorName || settings.provideRequestorData, let requestor = callID.requestor,
            let member = members[requestor]
        {
            if settings.provideRequestorName { forward.requestorName = member.user }
            if settings.provideRequestorData, let data = member.clientData, data != .null {
                forward.requestorData = data.jsonText
            }
        }
        slots[slot].atProvider = true
        actions.append(.send(provider, .rpc(forward)))
        actions.append(.armTimer(.accept(callID), deadline: now.advanced(by: settings.ackTimeout)))
        actions.append(.armTimer(.response(callID), deadline: now.advanced(by: settings.responseTimeout)))
        if emitsCallEvents {
            let name = slots[slot].name
            actions.append(.tap(.call(CallEvent(call: callID, name: name, step: .routed(to: provider), at: now))))
        }
    }

    /// Picks an untried provider for the call, or ends it with NO_RPC_PROVIDER.
    private mutating func reroute(_ slot: Int, at now: Timestamp, into actions: inout [BrokerAction]) {
        guard slots[slot].isLive else { return }
        let call = slots[slot]
        slots[slot].atProvider = false
        let candidates = (providers[call.name] ?? []).filter {
            $0 != call.provider && !call.earlierProviders.contains($0)
        }
        guard !candidates.isEmpty else {
            finish(slot, failing: .noRPCProvider, at: now, into: &actions)
            return
        }
        slots[slot].earlierProviders.append(call.provider)
        slots[slot].provider = candidates[Self.index(below: candidates.count, using: &random)]
        slots[slot].accepted = false
        dispatch(slot, at: now, into: &actions)
    }

    // MARK: Provider replies

    private mutating func providerReply(
        _ message: consuming RPCMessage, from peer: PeerID, at now: Timestamp, into actions: inout [BrokerAction]
    ) {
        guard let providerId = message.correlationId, let slot = slotOfProviderId[providerId],
            slots[slot].provider == peer
        else {
            actions.append(.send(peer, .rpc(RPCMessage(
                action: .invalidRPCCorrelationID, correlationId: message.correlationId, isError: true,
                name: message.name, originalAction: message.action))))
            return
        }
        let callID = slots[slot].id
        let action = message.action
        // Moved, not copied: the reply is forwarded with the requestor's id in place of the provider's.
        var toRequestor = consume message
        toRequestor.correlationId = callID.correlationId
        toRequestor.requestorName = nil
        toRequestor.requestorData = nil
        if let decision = slots[slot].pendingSteer, action != .reject {
            if let steered = steer(toRequestor, by: decision, slot: slot, from: peer, at: now) {
                actions += steered
                return
            }
        }
        switch action {
        case .accept:
            guard !slots[slot].accepted else {
                actions.append(.send(peer, .rpc(RPCMessage(
                    action: .multipleAccept, correlationId: providerId, name: toRequestor.name))))
                return
            }
            slots[slot].accepted = true
            actions.append(.cancelTimer(.accept(callID)))
            if let requestor = callID.requestor { actions.append(.send(requestor, .rpc(toRequestor))) }
            if emitsCallEvents {
                let name = slots[slot].name
                actions.append(.tap(.call(CallEvent(call: callID, name: name, step: .accepted(by: peer), at: now))))
            }
        case .reject:
            let name = slots[slot].name
            actions.append(.tap(.call(CallEvent(call: callID, name: name, step: .rejected(by: peer), at: now))))
            reroute(slot, at: now, into: &actions)
        default:  // RESPONSE, REQUEST_ERROR
            if let data = toRequestor.data, !Self.isJSON(data) {
                // Forwarding it would make a JS requestor throw in JSON.parse; the provider may answer again.
                actions.append(.send(peer, .rpc(RPCMessage(
                    action: .invalidMessageData, correlationId: providerId, isError: true, name: toRequestor.name,
                    originalAction: action))))
                return
            }
            deliver(toRequestor, slot: slot, at: now, into: &actions)
        }
    }

    /// Sends a provider's final answer to the requestor and ends the call.
    private mutating func deliver(
        _ reply: RPCMessage, slot: Int, at now: Timestamp, into actions: inout [BrokerAction]
    ) {
        guard slots[slot].isLive else { return }
        let callID = slots[slot].id
        if let requestor = callID.requestor { actions.append(.send(requestor, .rpc(reply))) }
        let call = remove(slot, into: &actions)
        if emitsCallEvents, let call {
            let step: CallStep = reply.action == .response ? .responded(data: reply.data) : .errored(data: reply.data)
            actions.append(.tap(.call(CallEvent(call: callID, name: call.name, step: step, at: now))))
        }
    }

    /// Applies the steering decided at dispatch to a provider's ACCEPT, RESPONSE or REQUEST_ERROR; nil
    /// when the reply takes the normal path (an ACCEPT under a response rule).
    private mutating func steer(
        _ reply: RPCMessage, by decision: SteeringDecision, slot: Int, from peer: PeerID, at now: Timestamp
    ) -> [BrokerAction]? {
        guard slots[slot].isLive else { return nil }
        let call = slots[slot]
        let callID = call.id
        let isAnswer = reply.action == .response || reply.action == .requestError
        if call.delayedReply != nil { return [] }  // an answer already waits; later ones are stale
        switch decision.action {
        case .reject:
            // The provider's first word (ACCEPT or answer) becomes a REJECT: the requestor sees a reroute.
            var actions: [BrokerAction] = [
                .tap(.call(CallEvent(call: callID, name: call.name, step: decision.step, at: now))),
                .tap(.call(CallEvent(call: callID, name: call.name, step: .rejected(by: peer), at: now))),
            ]
            reroute(slot, at: now, into: &actions)
            return actions
        case .dropResponse:
            guard isAnswer else { return nil }
            // The call stays pending, so its RESPONSE_TIMEOUT ends it as a lost answer would.
            return [.tap(.call(CallEvent(call: callID, name: call.name, step: decision.step, at: now)))]
        case .delayResponse:
            // Invalid data takes the normal path, which answers the provider INVALID_MESSAGE_DATA.
            guard isAnswer, reply.data.map(Self.isJSON) ?? true else { return nil }
            slots[slot].delayedReply = reply
            slots[slot].atProvider = false
            return [
                .cancelTimer(.accept(callID)), .cancelTimer(.response(callID)),
                .armTimer(.steering(callID), deadline: now.advanced(by: .milliseconds(decision.delayMilliseconds))),
                .tap(.call(CallEvent(call: callID, name: call.name, step: decision.step, at: now))),
            ]
        case .delayRequest, .fail, .hold:
            return nil
        }
    }

    /// The user's answer to a held call (``SteeringChange/resolveHeld(_:_:)``).
    mutating func resolveHeld(_ callID: CallID, _ resolution: HeldCallResolution, at now: Timestamp) -> [BrokerAction] {
        guard let slot = slotOfCall[callID], let rule = slots[slot].heldBy else { return [] }
        let call = slots[slot]
        switch resolution {
        case .release(let data?), .respond(let data), .fail(let data):
            guard Self.isJSON(data) else { return [] }
        case .release(nil), .reject, .drop:
            break
        }
        var actions: [BrokerAction] = [.tap(.call(CallEvent(call: callID, name: call.name, step: resolution.step(rule: rule), at: now)))]
        slots[slot].heldBy = nil
        switch resolution {
        case .release(let data):
            if let data { slots[slot].request.data = data }
            forward(slot, at: now, into: &actions)
        case .respond(let data):
            let reply = RPCMessage(action: .response, data: data, correlationId: callID.correlationId, name: call.name)
            deliver(reply, slot: slot, at: now, into: &actions)
        case .fail(let error):
            let reply = RPCMessage(action: .requestError, data: error, correlationId: callID.correlationId, name: call.name)
            deliver(reply, slot: slot, at: now, into: &actions)
        case .reject:
            actions.append(.tap(.call(CallEvent(call: callID, name: call.name, step: .rejected(by: call.provider), at: now))))
            reroute(slot, at: now, into: &actions)
        case .drop:
            // Still pending, no longer held: the response deadline armed when it was held ends it.
            break
        }
        return actions
    }

    // MARK: Ending calls

    private mutating func finish(
        _ slot: Int, failing reason: RPCAction, at now: Timestamp, into actions: inout [BrokerAction]
    ) {
        guard slots[slot].isLive else { return }
        let callID = slots[slot].id
        let name = slots[slot].name
        if let requestor = callID.requestor {
            actions.append(.send(requestor, .rpc(RPCMessage(
                action: reason, correlationId: callID.correlationId, name: name))))
        }
        remove(slot, into: &actions)
        actions.append(.tap(.call(CallEvent(call: callID, name: name, step: .failed(reason: reason), at: now))))
    }

    /// Frees the call's slot and its two keys and cancels its timers; returns the call.
    @discardableResult
    private mutating func remove(_ slot: Int, into actions: inout [BrokerAction]) -> Call? {
        // Moved out of the table, not copied.
        guard slots[slot].isLive else { return nil }
        var call = Self.vacant
        swap(&call, &slots[slot])
        freeSlots.append(slot)
        slotOfCall.removeValue(forKey: call.id)
        slotOfProviderId.removeValue(forKey: call.providerCorrelationId)
        // An accepted call's accept timer was cancelled with the ACCEPT and never re-armed.
        if !call.accepted { actions.append(.cancelTimer(.accept(call.id))) }
        actions.append(.cancelTimer(.response(call.id)))
        if call.awaitingRelease || call.delayedReply != nil { actions.append(.cancelTimer(.steering(call.id))) }
        return call
    }

    /// A uniform index in `0..<count`, drawn exactly as `Int.random(in:using:)` draws it (Lemire's
    /// multiply-and-reject on `next()`), so seeded generators give the same choices; called on the
    /// existential directly, because the generic standard-library path through `any
    /// RandomNumberGenerator` cost 2.6 % of the broker's CPU (perf4 profile).
    package static func index(below count: Int, using random: inout any RandomNumberGenerator & Sendable) -> Int {
        let bound = UInt64(count)
        var product = random.next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold { product = random.next().multipliedFullWidth(by: bound) }
        }
        return Int(product.high)
    }

    private static func isJSON(_ text: String) -> Bool {
        JSONSyntax.isValid(text)
    }

    private static func callOrder(_ a: CallID, _ b: CallID) -> Bool {
        (a.requestor?.rawValue ?? 0, a.correlationId) < (b.requestor?.rawValue ?? 0, b.correlationId)
    }
}
