import DeepstreamProtocol

/// The names this engine provides and the PROVIDE/UNPROVIDE traffic for them, as a pure value
/// (spec §4 #1–#6, §3.4 `subscriptionInterval`): batching, the per-connection correlation counter
/// (`"0"`, `"1"`, …), acknowledgements, refusals and re-providing after a reconnect.
package struct ProviderRegistry: Sendable {
    /// Something the shell must do or report.
    package enum Output: Hashable, Sendable {
        /// Send this PROVIDE/UNPROVIDE.
        case send(Message)
        /// Arm the batch timer (``EngineTimer/subscriptionBatch``).
        case armBatchTimer(after: Duration)
        /// The server acknowledged a PROVIDE (`provided: true`) or UNPROVIDE of `name`.
        case acknowledged(name: String, provided: Bool)
        /// The server refused `name`; for MESSAGE_DENIED / MESSAGE_PERMISSION_ERROR the name is no
        /// longer provided locally.
        case refused(name: String, reason: RPCAction)
        /// Something unexpected.
        case error(kind: String, message: String)
    }

    /// What to do with a REQUEST forwarded by the server.
    package enum RequestRoute: Hashable, Sendable {
        /// Invoke the local handler for this name.
        case invoke
        /// The name is not (or no longer) provided: send this REJECT.
        case reject(Message)
        /// The REQUEST lacks a name or correlation id.
        case malformed
    }

    private let batchWindow: Duration
    /// Provided names in registration order.
    package private(set) var names: [String] = []
    private var pendingProvide: [String] = []
    private var pendingUnprovide: [String] = []
    private var batchArmed = false
    private var counter = 0
    /// Batches awaiting their ack, by correlation id.
    private var awaitingAck: [String: (action: RPCAction, names: [String])] = [:]

    /// Creates an empty registry with the batching window (`subscriptionInterval`).
    package init(batchWindow: Duration) {
        self.batchWindow = batchWindow
    }

    /// Whether `name` is provided locally.
    package func provides(_ name: String) -> Bool { names.contains(name) }

    /// Registers `name`; when `online`, a PROVIDE goes out (batched).
    package mutating func provide(_ name: String, online: Bool) throws(ProviderError) -> [Output] {
        guard !name.isEmpty else { throw .invalidName }
        guard !provides(name) else { throw .alreadyProvided(name) }
        names.append(name)
        guard online else { return [] }
        if let index = pendingUnprovide.firstIndex(of: name) {
            // Still provided on the server: the pending UNPROVIDE is simply dropped.
            pendingUnprovide.remove(at: index)
            return []
        }
        pendingProvide.append(name)
        return schedule()
    }

    /// Unregisters `name`; when `online`, an UNPROVIDE goes out (batched).
    package mutating func unprovide(_ name: String, online: Bool) throws(ProviderError) -> [Output] {
        guard let index = names.firstIndex(of: name) else { throw .notProvided(name) }
        names.remove(at: index)
        guard online else { return [] }
        if let pending = pendingProvide.firstIndex(of: name) {
            // Never reached the server.
            pendingProvide.remove(at: pending)
            return []
        }
        pendingUnprovide.append(name)
        return schedule()
    }

    /// The batch window ended: send what accumulated.
    package mutating func batchTimerFired() -> [Output] {
        batchArmed = false
        var out: [Output] = []
        if !pendingProvide.isEmpty { out.append(bulk(.provide, pendingProvide)) }
        if !pendingUnprovide.isEmpty { out.append(bulk(.unprovide, pendingUnprovide)) }
        pendingProvide.removeAll()
        pendingUnprovide.removeAll()
        return out
    }

    /// Logged in (again): every provided name is sent, in one PROVIDE (or one per name when
    /// batching is off).
    package mutating func loggedIn() -> [Output] {
        pendingProvide.removeAll()
        pendingUnprovide.removeAll()
        batchArmed = false
        guard !names.isEmpty else { return [] }
        if batchWindow <= .zero { return names.map { bulk(.provide, [$0]) } }
        return [bulk(.provide, names)]
    }

    /// The connection ended: the server forgot our names; the counter restarts at 0.
    package mutating func connectionLost() {
        pendingProvide.removeAll()
        pendingUnprovide.removeAll()
        batchArmed = false
        awaitingAck.removeAll()
        counter = 0
    }

    /// Routes a REQUEST forwarded by the server.
    package func route(_ request: RPCMessage) -> RequestRoute {
        guard let name = request.name, let cid = request.correlationId else { return .malformed }
        if provides(name) { return .invoke }
        return .reject(.rpc(RPCMessage(action: .reject, correlationId: cid, name: name)))
    }

    /// Applies a provider-side server message: PROVIDE/UNPROVIDE acks, MULTIPLE_PROVIDERS and
    /// MESSAGE_DENIED / MESSAGE_PERMISSION_ERROR for a PROVIDE.
    package mutating func received(_ m: RPCMessage) -> [Output] {
        switch m.action {
        case .provide, .unprovide:
            guard let cid = m.correlationId, let batch = awaitingAck.removeValue(forKey: cid) else {
                return [.error(kind: "UNKNOWN_CORRELATION_ID", message: "\(m.action.name) ack for unknown id \(m.correlationId ?? "-")")]
            }
            return batch.names.map { .acknowledged(name: $0, provided: batch.action == .provide) }
        case .multipleProviders:
            return [.refused(name: m.name ?? "", reason: .multipleProviders)]
        case .messageDenied, .messagePermissionError:
            let name = m.name ?? ""
            names.removeAll { $0 == name }
            if let cid = m.correlationId, var batch = awaitingAck[cid] {
                batch.names.removeAll { $0 == name }
                awaitingAck[cid] = batch.names.isEmpty ? nil : batch
            }
            return [.refused(name: name, reason: m.action)]
        default:
            return [.error(kind: "UNKNOWN_ACTION", message: "unexpected provider message \(m.action.name)")]
        }
    }

    private mutating func schedule() -> [Output] {
        if batchWindow <= .zero { return batchTimerFired() }
        guard !batchArmed else { return [] }
        batchArmed = true
        return [.armBatchTimer(after: batchWindow)]
    }

    private mutating func bulk(_ action: RPCAction, _ batch: [String]) -> Output {
        let cid = String(counter)
        counter += 1
        awaitingAck[cid] = (action, batch)
        return .send(.rpc(RPCMessage(action: action, correlationId: cid, names: batch)))
    }
}
