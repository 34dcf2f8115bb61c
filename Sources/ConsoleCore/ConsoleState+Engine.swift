import DeepstreamProtocol

extension ConsoleState {
    /// Most peers remembered; disconnected ones are forgotten beyond this.
    static let peerLimit = 4096
    /// Most served calls whose start time is remembered for the provider's last latency.
    static let servedStartLimit = 10_000
    /// The effects of most engine events, shared: an array literal would allocate per event.
    static let redrawOnly: [ConsoleEffect] = [.requestRedraw]

    mutating func handle(_ event: EngineEvent) -> [ConsoleEffect] {
        switch event {
        case .stateChanged(_, let to, _):
            connection = to
            switch to {
            case .challengeDenied, .tooManyAuthAttempts, .authenticationTimeout:
                notify("Connection: \(to.rawValue)", isError: true)
            default: break
            }
        case .loggedIn:
            break
        case .loginFailed(let reason, _):
            notify("Login failed" + (reason.map { ": \($0.jsonText)" } ?? ""), isError: true)
        case .frame:
            return []
        case .outgoingCall(let call):
            // On the embedded broker every call already has the broker's row (with its routing);
            // our own view of it would show the same call twice.
            if configuration.embeddedBroker { return [] }
            record(call, origin: .outgoing, requestor: nil)
        case .servedCall(let call, let requestor):
            if configuration.embeddedBroker { return countServed(call) }
            record(call, origin: .served, requestor: requestor)
        case .providerAcknowledged(let name, let provided, _):
            if let index = providers.ownIndex(of: name) {
                providers.own[index].registration = provided ? .provided : .unprovided
            }
        case .providerRefused(let name, let reason, _):
            if let index = providers.ownIndex(of: name) {
                providers.own[index].registration = .refused(reason)
            }
            notify("Cannot provide \(name): \(reason.name)", isError: true)
        case .error(let kind, let message, _):
            // A connection problem, not a call error: counted apart and shown as a notice.
            stats.engineErrors += 1
            notify("\(kind): \(message)", isError: true)
        case .traffic(let traffic):
            return handle(traffic)
        case .dropped(let count):
            stats.droppedEvents += count
        }
        return Self.redrawOnly
    }

    private mutating func handle(_ traffic: TrafficEvent) -> [ConsoleEffect] {
        switch traffic {
        case .connected(let peer, let address, let format, _):
            peers[peer] = PeerInfo(id: peer, address: address, format: format)
            prunePeers()
        case .loggedIn(let peer, let user, _, _):
            peers[peer, default: PeerInfo(id: peer)].user = user
        case .loginFailed:
            return []
        case .disconnected(let peer, let reason, _):
            peers[peer]?.isConnected = false
            // The proxy's reason when the server behind it cannot be reached or went away.
            if reason.hasPrefix("upstream ") { notify(reason, isError: true) }
            providers.removeRemote(peer: peer)
        case .frame:
            return []
        case .providerAdded(let peer, let name, let at):
            // Our own engine's registrations already have their rows in the own list.
            if isOwnConnection(peer), providers.ownIndex(of: name) != nil { return [] }
            providers.addRemote(RemoteProvider(peer: peer, name: name, since: at))
        case .providerRemoved(let peer, let name, _):
            providers.removeRemote(peer: peer, name: name)
        case .call(let call):
            record(call, origin: .broker, requestor: nil)
        case .payloadsNotKept(let call, _, let request, let response, _):
            calls.log.markPayloadsNotKept(CallKey(origin: .broker, call: call), request: request, response: response)
        }
        providers.scrollToSelection(height: layout.providerListHeight)
        return Self.redrawOnly
    }

    /// Provider counters from served-call events when no row is kept for them (embedded broker).
    private mutating func countServed(_ event: CallEvent) -> [ConsoleEffect] {
        guard let index = providers.ownIndex(of: event.name) else { return [] }
        if case .requested = event.step {
            providers.own[index].callCount += 1
            if servedStarts.count >= Self.servedStartLimit { servedStarts.removeAll() }
            servedStarts[event.call.correlationId] = event.at
        } else if event.step.isFinal, let start = servedStarts.removeValue(forKey: event.call.correlationId) {
            providers.own[index].lastLatency = event.at.since(start)
        }
        return Self.redrawOnly
    }

    /// Whether `peer` is this console's own engine on the embedded broker (it logs in as the
    /// configured user).
    private func isOwnConnection(_ peer: PeerID) -> Bool {
        guard configuration.embeddedBroker, let user = configuration.user else { return false }
        return peers[peer]?.user == user
    }

    private mutating func prunePeers() {
        guard peers.count > Self.peerLimit else { return }
        for (id, peer) in peers where !peer.isConnected { peers[id] = nil }
    }

    /// Records a call step in the log and updates stats, provider counters and the view.
    private mutating func record(_ event: CallEvent, origin: CallOrigin, requestor: RequestorDetails?) {
        let key = CallKey(origin: origin, call: event.call)
        let filtering = !calls.filter.isEmpty
        let matcher = callMatcher
        let matchedBefore = filtering && calls.log[key].map(matcher) == true
        // Released payload text no longer matches: an older call can stop matching.
        var unmatched = 0
        let outcome = calls.log.record(
            key, name: event.name, step: event.step, at: event.at,
            released: filtering ? { before, after in if matcher(before), !matcher(after) { unmatched += 1 } } : nil)
        if origin == .broker { noteSteering(event.step, key: key, record: outcome.record) }
        if filtering {
            var delta = (matcher(outcome.record) ? 1 : 0) - (matchedBefore ? 1 : 0) - unmatched
            if let evicted = outcome.evicted, matcher(evicted) { delta -= 1 }
            calls.adjustMatchCount(by: delta)
        }
        var current = outcome.record
        if let name = requestor?.name, current.requestorName == nil {
            calls.log.setRequestorName(name, of: key)
            current.requestorName = name
        }
        let counted = configuration.countsInStats(origin)
        if outcome.isNew {
            if counted {
                stats.rate.record(at: event.at)
                if !outcome.record.status.isFinal { stats.inFlight += 1 }
            }
            if let evicted = outcome.evicted, configuration.countsInStats(evicted.origin), !evicted.status.isFinal {
                stats.inFlight -= 1
            }
            if origin == .served, let index = providers.ownIndex(of: event.name) {
                providers.own[index].callCount += 1
            }
        } else if counted, let previous = outcome.previousStatus, !previous.isFinal, outcome.record.status.isFinal {
            stats.inFlight -= 1
        }
        let endedNow = outcome.record.status.isFinal && (outcome.previousStatus.map { !$0.isFinal } ?? true)
        if endedNow {
            if counted && outcome.record.status.isError { stats.callErrors += 1 }
            if counted { statistics.record(finishedCall(outcome.record)) }
            if origin == .served, let index = providers.ownIndex(of: event.name) {
                providers.own[index].lastLatency = outcome.record.totalLatency
            }
        }
        // `current` is the record as the log now holds it: no second lookup, and no matcher built
        // twice per event.
        calls.recorded(current, matching: matcher)
    }
}
