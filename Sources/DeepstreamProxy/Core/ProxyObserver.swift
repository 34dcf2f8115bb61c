import DeepstreamProtocol

extension PeerID {
    /// A connection the proxy does not see: the other half of a call whose requestor or provider is
    /// connected to the server directly or to another cluster node (`#0` in routes and JSON Lines).
    package static let unseen = PeerID(0)
}

/// What the forwarding path tells the observer, in the order it happened on one connection.
package enum ObservationInput: Sendable {
    /// A client connected; `path` is the request target it asked for (query included); `node` names the
    /// upstream it goes to when the proxy has several (its user name then reads `user@node`).
    case opened(PeerID, remoteAddress: String, path: String, node: String? = nil, at: Timestamp)
    /// The WebSocket messages one read batch of one direction carried across the proxy, in order
    /// (`inbound` = client to server, as the server sees it): one input (and one array) per read
    /// instead of one enum value per message on the way to the observer.
    case messages(PeerID, FrameDirection, [ScannedMessage], at: Timestamp)
    /// The body of a `POST /api` request (JSON with RPC `make` entries), complete.
    case httpRequest(PeerID, body: [UInt8], at: Timestamp)
    /// The server's answer to that request: status and body, complete.
    case httpResponse(PeerID, status: Int?, body: [UInt8], at: Timestamp)
    /// A steering rule acted on the call `name`/`correlationId` (before the frames it produced).
    case steered(name: String, correlationId: String, step: CallStep, at: Timestamp)
    /// A REQUEST held in the proxy ended without reaching the server (dropped by hand, or its connection
    /// ended while it was held): the call ends with `abandoned(reason)`.
    case heldEnded(name: String, correlationId: String, reason: String, at: Timestamp)
    /// The connection ended.
    case closed(PeerID, reason: String, at: Timestamp)
    /// Time passes: calls that never ended are evicted.
    case tick(Timestamp)
}

/// Turns what crosses the proxy into the broker tap's vocabulary (``TrafficEvent``), so the console
/// and `watch` treat a proxied deployment like the embedded broker (pure; no IO, no clock).
///
/// Calls are keyed by (name, correlation id): deepstream forwards the requestor's REQUEST to the
/// provider with the same name and id. The key is made from the message's bytes (``CallKey``: the name
/// interned per observer, the id packed into integers) and looked up in a ``CallTable``; no `String` is
/// made for a message until an event is built. A call whose requestor is not behind the proxy starts at its
/// `routed` step with requestor ``PeerID/unseen``; a call whose provider is not behind the proxy has
/// no `routed` step and its ACCEPT is reported as `accepted(by: .unseen)`.
///
/// Credentials never leave this type: of an AUTH request only the `username` field is kept, and the
/// AUTH request's frame event carries `{"username": …}` instead of the auth data.
package struct ProxyObserver: Sendable {
    /// Counters the status line and `watch` show.
    package struct Counters: Hashable, Sendable {
        /// Messages seen per topic (both directions), decodable ones only.
        package var messagesPerTopic: [Topic: Int] = [:]
        /// Messages that could not be decoded (garbage, compressed, too large, unknown endpoint).
        package var undecodable = 0
        /// Calls dropped from the table without an end (timeout of the observer, or table full).
        package var evictedCalls = 0
        /// Creates zero counters.
        package init() {}
    }

    private struct Connection {
        var format: WireFormat?
        var node: String?
        var user: String?
        /// For a `POST /api` connection: the user its `loggedIn` event last named (each request carries
        /// its own auth data).
        var announcedUser: String?
        var provided: Set<String> = []
        var pendingProvides: [String: (names: [String], add: Bool)] = [:]
    }

    private struct Call {
        /// The requestor's connection (``PeerID/unseen`` when it is not behind the proxy).
        var requestor: PeerID
        /// The id a `POST /api` call got from the proxy (`http-<peer>-<index>`); its key changes to the
        /// server's correlation id once it is routed, its id does not. `nil`: the key's id.
        var httpCorrelationId: String?
        var provider: PeerID?
        var providerAnswered = false
        var lastSeen: Timestamp
        /// Held in the proxy by a `hold` rule: not evicted while the user decides (bounded by the
        /// proxy's per-connection hold limit; the connection's end ends it).
        var isHeld = false

        init(requestor: PeerID, httpCorrelationId: String? = nil, provider: PeerID? = nil, lastSeen: Timestamp) {
            self.requestor = requestor
            self.httpCorrelationId = httpCorrelationId
            self.provider = provider
            self.lastSeen = lastSeen
        }

        /// The call id events carry (its text made only here, when an event is built).
        func id(_ key: CallKey) -> CallID {
            CallID(requestor: requestor, correlationId: httpCorrelationId ?? key.correlationId)
        }
    }

    /// Whether `.frame` events are produced.
    package var includingFrames: Bool
    /// Whether any events are produced. Without anyone listening the observer still follows
    /// connections and calls (counters, pending calls) but builds no events and no payload texts.
    package var emitsEvents = true
    /// Calls not seen to end after this long are evicted (with an `abandoned` step).
    package var callLifetime: Duration
    /// Most calls tracked at once; new calls beyond it are not tracked (counted as evicted).
    package var callLimit: Int
    /// The counters so far.
    package var counters: Counters {
        var counters = tally
        for (raw, count) in topicCounts.enumerated() where count > 0 {
            counters.messagesPerTopic[Topic(rawValue: Int32(raw)), default: 0] += count
        }
        return counters
    }

    /// Counters but the per-topic counts of the known topics below 128, which are in `topicCounts`
    /// (an array index per message instead of a dictionary update).
    private var tally = Counters()
    private var topicCounts = [Int](repeating: 0, count: 128)

    private var connections: [PeerID: Connection] = [:]
    /// `POST /api` calls per HTTP connection: per request awaiting its answer (oldest first), the calls
    /// in body order (nil for entries that are not RPC makes).
    private var httpCalls: [PeerID: [[CallKey?]]] = [:]
    /// `POST /api` requests seen per HTTP connection (the first one's calls are `http-<peer>-<index>`,
    /// later ones `http-<peer>-<request>-<index>`).
    private var httpRequestCount: [PeerID: Int] = [:]
    /// HTTP calls not yet routed, per name, oldest first: the server's REQUEST to a provider carries a
    /// correlation id of its own making, so it is matched by name.
    private var httpWaiting: [UInt32: [CallKey]] = [:]
    private var calls = CallTable<Call>()
    /// Interned RPC names: the index of a name's bytes (keyed as a ``CallKey`` with name 0), and the
    /// text per index. At most `callLimit` names; calls of names beyond that are not tracked.
    private var nameIndex = CallTable<UInt32>()
    private var nameTexts: [String] = []
    /// The name looked up last and its index: most traffic is a few names, often one in a row.
    private var lastName: (probe: CallKey, index: UInt32)?
    private let binary = BinaryCodec()
    private let json = JSONCodec()

    /// Creates an observer.
    package init(includingFrames: Bool = false, callLifetime: Duration = .seconds(60), callLimit: Int = 100_000) {
        self.includingFrames = includingFrames
        self.callLifetime = callLifetime
        self.callLimit = callLimit
    }

    /// Calls currently tracked.
    package var pendingCallCount: Int { calls.count }

    /// The timeline actions that end a hold (HeldCallResolution's steps).
    static let holdResolutions: Set<String> = [
        "released", "released-edited", "answered", "answered-error", "rejected-by-hand", "dropped-by-hand",
    ]

    /// Feeds one input and returns the events it causes, in order.
    package mutating func handle(_ input: ObservationInput) -> [TrafficEvent] {
        var events: [TrafficEvent] = []
        handle(input, into: &events)
        return events
    }

    /// Feeds one input and appends the events it causes to `events`, in order.
    package mutating func handle(_ input: ObservationInput, into events: inout [TrafficEvent]) {
        switch input {
        case .opened(let peer, let address, let path, let node, let at):
            let bare = String(path.prefix { $0 != "?" })
            let format: WireFormat? =
                bare == "/deepstream-json" || bare == "/api" ? .json : bare.hasPrefix("/deepstream") ? .binary : nil
            connections[peer] = Connection(format: format, node: node)
            emit(.connected(peer: peer, remoteAddress: address, format: format ?? .binary, at: at), &events)
        case .messages(let peer, let direction, let batch, let at):
            let format = connections[peer]?.format
            for scanned in batch { handle(peer, direction, scanned, format, at, &events) }
        case .httpRequest(let peer, let body, let at):
            handleHTTPRequest(peer, body, at, &events)
        case .httpResponse(let peer, let status, let body, let at):
            handleHTTPResponse(peer, status, body, at, &events)
        case .closed(let peer, let reason, let at):
            httpRequestCount[peer] = nil
            if let requests = httpCalls.removeValue(forKey: peer) {
                for case let key? in requests.joined() {
                    guard let call = calls.remove(key) else { continue }
                    unwait(key)
                    emit(.call(CallEvent(
                        call: call.id(key), name: nameText(key), step: .abandoned(reason: "HTTP connection closed"), at: at)),
                        &events)
                }
            }
            if let connection = connections.removeValue(forKey: peer) {
                for name in connection.provided.sorted() {
                    emit(.providerRemoved(peer: peer, name: name, at: at), &events)
                }
                emit(.disconnected(peer: peer, reason: reason, at: at), &events)
            }
        case .steered(let name, let correlationId, let step, let at):
            if let key = existingKey(name: name, correlationId: correlationId), let entry = calls.entry(of: key) {
                if case .steered(_, let action, _) = step {
                    if action == "hold" {
                        calls[entry: entry].isHeld = true
                    } else if calls[entry: entry].isHeld, Self.holdResolutions.contains(action) {
                        calls[entry: entry].isHeld = false
                    }
                    calls[entry: entry].lastSeen = at
                }
                events.append(.call(CallEvent(call: calls[entry: entry].id(key), name: name, step: step, at: at)))
            }
        case .heldEnded(let name, let correlationId, let reason, let at):
            if let key = existingKey(name: name, correlationId: correlationId), let call = calls.remove(key) {
                emit(.call(CallEvent(call: call.id(key), name: name, step: .abandoned(reason: reason), at: at)), &events)
            }
        case .tick(let now):
            evict(now, &events)
        }
    }

    private mutating func count(_ topic: Topic) {
        let raw = Int(topic.rawValue)
        if raw >= 0 && raw < topicCounts.count {
            topicCounts[raw] += 1
        } else {
            tally.messagesPerTopic[topic, default: 0] += 1
        }
    }

    /// Appends the event unless nobody listens (then it is not even built).
    private func emit(_ event: @autoclosure () -> TrafficEvent, _ events: inout [TrafficEvent]) {
        if emitsEvents { events.append(event()) }
    }

    private mutating func handle(
        _ peer: PeerID, _ direction: FrameDirection, _ scanned: ScannedMessage, _ format: WireFormat?, _ at: Timestamp,
        _ events: inout [TrafficEvent]
    ) {
        switch scanned.kind {
        case .binary, .text: break
        case .close, .ping, .pong: return
        case .other:
            tally.undecodable += 1
            if includingFrames {
                emit(.frame(peer: peer, direction: direction, message: nil, byteCount: scanned.wireBytes, at: at), &events)
            }
            return
        }
        var observed: ObservedMessage?
        var message: Message?
        if let payload = scanned.payloadBuffer, let format {
            switch format {
            case .binary:
                if includingFrames && emitsEvents {
                    message = payload.withUnsafeReadableBytes { try? binary.decode($0) }
                    observed = message.map(ObservedMessage.init)
                } else {
                    observed = ObservedMessage.decodeBinary(payload)
                }
            case .json:
                message = payload.withUnsafeReadableBytes { try? json.decode(Array($0)) }
                observed = message.map(ObservedMessage.init)
            }
        }
        guard let observed else {
            tally.undecodable += 1
            if includingFrames {
                emit(.frame(peer: peer, direction: direction, message: nil, byteCount: scanned.wireBytes, at: at), &events)
            }
            return
        }
        count(observed.topic)
        if includingFrames, let message {
            emit(.frame(
                peer: peer, direction: direction, message: redacted(message, peer: peer), byteCount: scanned.wireBytes,
                at: at), &events)
        }
        switch observed.body {
        case .auth(let action, let data): handleAuth(peer, direction, action, data, at, &events)
        case .rpc(let rpc): handleRPC(peer, direction, rpc, at, &events)
        case .other: break
        }
    }

    // MARK: Login

    private mutating func handleAuth(
        _ peer: PeerID, _ direction: FrameDirection, _ action: AuthAction, _ data: String?, _ at: Timestamp,
        _ events: inout [TrafficEvent]
    ) {
        switch (direction, action) {
        case (.inbound, .request):
            connections[peer, default: Connection()].user = Self.userName(in: data)
        case (.outbound, .authSuccessful):
            emit(.loggedIn(
                peer: peer, user: shownUser(peer) ?? "", clientData: data.flatMap { try? JSONValue(parsing: $0) },
                at: at), &events)
        case (.outbound, .authUnsuccessful), (.outbound, .tooManyAuthAttempts):
            emit(.loginFailed(peer: peer, user: shownUser(peer), at: at), &events)
        default: break
        }
    }

    /// The user name as events show it: `user@node` when the proxy has several upstreams.
    private func shownUser(_ peer: PeerID) -> String? {
        guard let connection = connections[peer] else { return nil }
        guard let node = connection.node else { return connection.user }
        return (connection.user ?? "") + "@" + node
    }

    /// The `username` of auth data, if it has one; nothing else of it is looked at.
    static func userName(in data: String?) -> String? {
        guard let data, case .object(let object)? = try? JSONValue(parsing: data) else { return nil }
        if case .string(let name)? = object["username"] { return name }
        return nil
    }

    /// The message as frame events may show it: an AUTH request loses its auth data.
    private func redacted(_ message: Message, peer: PeerID) -> Message {
        guard case .auth(var auth) = message, auth.action == .request else { return message }
        auth.data = Self.userName(in: auth.data).map { JSONValue.object(JSONObject([("username", .string($0))])).jsonText }
        return .auth(auth)
    }

    // MARK: RPC

    /// The key of the call a message names; `intern` adds a name not seen before (a REQUEST), otherwise
    /// a name never seen has no call. `nil` without correlation id or name.
    private mutating func key(_ rpc: ObservedMessage.RPC, intern: Bool) -> CallKey? {
        // The closures capture nothing of `self` (a capture of inout `self` is checked at run time).
        guard let probe = rpc.withUTF8(.name, { CallKey(name: 0, correlationId: $0) }),
            let name = name(of: probe, intern: intern, text: rpc.name ?? "")
        else { return nil }
        return rpc.withUTF8(.correlationId) { CallKey(name: name, correlationId: $0) }
    }

    /// The index of the name `probe` holds (as its correlation-id bytes); when it is new and `intern`
    /// is set, it is added with `text` (made only then).
    private mutating func name(of probe: CallKey, intern: Bool, text: @autoclosure () -> String) -> UInt32? {
        if let lastName, lastName.probe == probe { return lastName.index }
        let index: UInt32
        if let entry = nameIndex.entry(of: probe) {
            index = nameIndex[entry: entry]
        } else {
            guard intern, nameTexts.count < callLimit else { return nil }
            index = UInt32(nameTexts.count)
            nameTexts.append(text())
            nameIndex.insert(probe, index)
        }
        lastName = (probe, index)
        return index
    }

    /// The key of a call named by text (steering, HTTP), interning the name when asked.
    private mutating func textKey(name: String, correlationId: String, intern: Bool) -> CallKey? {
        guard let index = self.name(of: CallKey(name: 0, correlationId: name), intern: intern, text: name) else { return nil }
        return CallKey(name: index, correlationId: correlationId)
    }

    /// The key of a call named by text, if its name was ever seen.
    private mutating func existingKey(name: String, correlationId: String) -> CallKey? {
        textKey(name: name, correlationId: correlationId, intern: false)
    }

    /// The name of a key as text.
    private func nameText(_ key: CallKey) -> String { nameTexts[Int(key.name)] }

    private mutating func handleRPC(
        _ peer: PeerID, _ direction: FrameDirection, _ rpc: ObservedMessage.RPC, _ at: Timestamp, _ events: inout [TrafficEvent]
    ) {
        if rpc.action == .provide || rpc.action == .unprovide {
            handleProvide(peer, direction, rpc, at, &events)
            return
        }
        guard let key = key(rpc, intern: rpc.action == .request) else {
            // A REQUEST whose name could not be interned (more names than calls allowed): not tracked.
            if rpc.action == .request, rpc.withUTF8(.correlationId, { _ in true }) == true,
                rpc.withUTF8(.name, { _ in true }) == true
            {
                tally.evictedCalls += 1
            }
            return
        }
        let entry = calls.entry(of: key)
        switch direction {
        case .inbound:
            switch rpc.action {
            case .request:
                let call = Call(requestor: peer, lastSeen: at)
                if let entry {
                    calls[entry: entry] = call
                } else {
                    guard calls.count < callLimit else {
                        tally.evictedCalls += 1
                        return
                    }
                    calls.insert(key, call)
                }
                emit(.call(CallEvent(call: call.id(key), name: nameText(key), step: .requested(data: rpc.data.string), at: at)), &events)
            case .accept:
                guard let entry else { return }
                calls[entry: entry].lastSeen = at
                emit(.call(CallEvent(call: calls[entry: entry].id(key), name: nameText(key), step: .accepted(by: peer), at: at)), &events)
            case .reject:
                guard let entry else { return }
                calls[entry: entry].lastSeen = at
                emit(.call(CallEvent(call: calls[entry: entry].id(key), name: nameText(key), step: .rejected(by: peer), at: at)), &events)
            case .response, .requestError:
                guard let entry else { return }
                emit(.call(CallEvent(call: calls[entry: entry].id(key), name: nameText(key), step: Self.answer(rpc), at: at)), &events)
                if calls[entry: entry].requestor == .unseen {
                    calls.remove(entry: entry)
                } else {
                    calls[entry: entry].providerAnswered = true
                    calls[entry: entry].lastSeen = at
                }
            default: break
            }
        case .outbound:
            switch rpc.action {
            case .request:
                if let entry {
                    calls[entry: entry].provider = peer
                    calls[entry: entry].providerAnswered = false
                    calls[entry: entry].lastSeen = at
                    emit(.call(CallEvent(call: calls[entry: entry].id(key), name: nameText(key), step: .routed(to: peer), at: at)), &events)
                } else if let httpKey = nextWaitingHTTPCall(key.name), var call = calls.remove(httpKey) {
                    call.provider = peer
                    call.lastSeen = at
                    calls.set(key, call)
                    if let requests = httpCalls[call.requestor] {
                        for (r, keys) in requests.enumerated() {
                            guard let index = keys.firstIndex(of: httpKey) else { continue }
                            httpCalls[call.requestor]?[r][index] = key
                            break
                        }
                    }
                    emit(.call(CallEvent(call: call.id(key), name: nameText(key), step: .routed(to: peer), at: at)), &events)
                } else {
                    guard calls.count < callLimit else {
                        tally.evictedCalls += 1
                        return
                    }
                    let call = Call(requestor: .unseen, provider: peer, lastSeen: at)
                    calls.insert(key, call)
                    emit(.call(CallEvent(call: call.id(key), name: nameText(key), step: .routed(to: peer), at: at)), &events)
                }
            case .accept:
                // The server forwards the provider's ACCEPT to the requestor; it is news only when the
                // provider is not behind the proxy.
                guard let entry else { return }
                calls[entry: entry].lastSeen = at
                let call = calls[entry: entry]
                guard call.provider == nil, call.requestor == peer else { return }
                emit(.call(CallEvent(call: call.id(key), name: nameText(key), step: .accepted(by: .unseen), at: at)), &events)
            case .response, .requestError:
                guard let entry, calls[entry: entry].requestor == peer else { return }
                let call = calls.remove(entry: entry).value
                if !call.providerAnswered {
                    emit(.call(CallEvent(call: call.id(key), name: nameText(key), step: Self.answer(rpc), at: at)), &events)
                }
            case .noRPCProvider, .acceptTimeout, .responseTimeout, .messageDenied, .messagePermissionError:
                guard let entry, calls[entry: entry].requestor == peer else { return }
                let call = calls.remove(entry: entry).value
                emit(.call(CallEvent(call: call.id(key), name: nameText(key), step: .failed(reason: rpc.action), at: at)), &events)
            case .invalidRPCCorrelationID:
                guard let entry else { return }
                let call = calls[entry: entry]
                // To the requestor: its REQUEST was refused. To the provider: its answer came too late or
                // twice; the call ends here only if the proxy cannot see the requestor's own outcome.
                if (call.requestor == peer && rpc.originalAction == .request)
                    || (call.requestor == .unseen && call.provider == peer)
                {
                    calls.remove(entry: entry)
                    emit(.call(CallEvent(call: call.id(key), name: nameText(key), step: .failed(reason: rpc.action), at: at)), &events)
                }
            default: break
            }
        }
    }

    /// The step of a provider's RESPONSE or REQUEST_ERROR (its payload made text only here).
    private static func answer(_ rpc: ObservedMessage.RPC) -> CallStep {
        rpc.action == .response ? .responded(data: rpc.data.string) : .errored(data: rpc.data.string)
    }

    private mutating func handleProvide(
        _ peer: PeerID, _ direction: FrameDirection, _ rpc: ObservedMessage.RPC, _ at: Timestamp, _ events: inout [TrafficEvent]
    ) {
        let add = rpc.action == .provide
        let cid = rpc.correlationId ?? ""
        switch direction {
        case .inbound:
            guard !rpc.isAck else { return }
            connections[peer, default: Connection()].pendingProvides[cid] = (rpc.names, add)
        case .outbound:
            guard rpc.isAck,
                let pending = connections[peer]?.pendingProvides.removeValue(forKey: cid), pending.add == add
            else { return }
            for name in pending.names {
                if add {
                    if connections[peer]?.provided.insert(name).inserted == true {
                        emit(.providerAdded(peer: peer, name: name, at: at), &events)
                    }
                } else if connections[peer]?.provided.remove(name) != nil {
                    emit(.providerRemoved(peer: peer, name: name, at: at), &events)
                }
            }
        }
    }

    // MARK: HTTP API

    private mutating func handleHTTPRequest(_ peer: PeerID, _ body: [UInt8], _ at: Timestamp, _ events: inout [TrafficEvent]) {
        let number = httpRequestCount[peer, default: 0]
        httpRequestCount[peer] = number + 1
        guard let request = try? JSONValue(parsing: String(decoding: body, as: UTF8.self)),
            case .array(let entries)? = request["body"]
        else {
            tally.undecodable += 1
            // Its answer still comes in turn: keep its place so later answers match their requests.
            httpCalls[peer, default: []].append([])
            return
        }
        // Of the auth data only the user name is kept, as for AUTH requests.
        if let name = request["authData"]?["username"]?.stringValue { connections[peer, default: Connection()].user = name }
        // Name the caller (with its node behind a proxy of several upstreams) the way a WebSocket client
        // is named after its login, so its calls' rows read `#7 carl@10.0.0.6:6020`; the server checks
        // these credentials per request, and a refused call still ends failed in its own row.
        if let shown = shownUser(peer), !shown.isEmpty, connections[peer]?.announcedUser != shown {
            connections[peer]?.announcedUser = shown
            emit(.loggedIn(peer: peer, user: shown, clientData: nil, at: at), &events)
        }
        let prefix = number == 0 ? "http-\(peer.rawValue)-" : "http-\(peer.rawValue)-\(number)-"
        var keys: [CallKey?] = []
        for (index, entry) in entries.enumerated() {
            guard entry["topic"]?.stringValue == "rpc", entry["action"]?.stringValue == "make",
                let name = entry["rpcName"]?.stringValue, calls.count < callLimit
            else {
                keys.append(nil)
                continue
            }
            count(.rpc)
            let correlationId = prefix + String(index)
            guard let key = textKey(name: name, correlationId: correlationId, intern: true) else {
                keys.append(nil)
                continue
            }
            let call = Call(requestor: peer, httpCorrelationId: correlationId, lastSeen: at)
            calls.set(key, call)
            httpWaiting[key.name, default: []].append(key)
            keys.append(key)
            emit(.call(CallEvent(call: call.id(key), name: name, step: .requested(data: entry["data"]?.jsonText), at: at)), &events)
        }
        httpCalls[peer, default: []].append(keys)
    }

    private mutating func handleHTTPResponse(
        _ peer: PeerID, _ status: Int?, _ body: [UInt8], _ at: Timestamp, _ events: inout [TrafficEvent]
    ) {
        guard var requests = httpCalls[peer], !requests.isEmpty else { return }
        let keys = requests.removeFirst()
        httpCalls[peer] = requests.isEmpty ? nil : requests
        let results: [JSONValue]?
        if case .array(let array)? = (try? JSONValue(parsing: String(decoding: body, as: UTF8.self)))?["body"] {
            results = array
        } else {
            results = nil
        }
        for (index, key) in keys.enumerated() {
            guard let key, let call = calls.remove(key) else { continue }
            unwait(key)
            let step: CallStep?
            if status != 200 || results == nil || index >= results!.count {
                step = .abandoned(reason: "HTTP \(status.map(String.init) ?? "?") without a result")
            } else {
                let result = results![index]
                if result["success"]?.boolValue == true {
                    step = call.providerAnswered ? nil : .responded(data: result["data"]?.jsonText)
                } else if let code = result["errorEvent"]?.intValue {
                    step = .failed(reason: RPCAction(rawValue: Int32(code)))
                } else if result["errorTopic"]?.stringValue == "rpc" {
                    step = call.providerAnswered ? nil : .errored(data: result["error"]?.jsonText)
                } else {
                    step = .abandoned(reason: "HTTP: \(result["error"]?.stringValue ?? "request failed")")
                }
            }
            if let step { emit(.call(CallEvent(call: call.id(key), name: nameText(key), step: step, at: at)), &events) }
        }
    }

    private mutating func nextWaitingHTTPCall(_ name: UInt32) -> CallKey? {
        guard var waiting = httpWaiting[name], !waiting.isEmpty else { return nil }
        let key = waiting.removeFirst()
        httpWaiting[name] = waiting.isEmpty ? nil : waiting
        return key
    }

    private mutating func unwait(_ key: CallKey) {
        guard var waiting = httpWaiting[key.name], let index = waiting.firstIndex(of: key) else { return }
        waiting.remove(at: index)
        httpWaiting[key.name] = waiting.isEmpty ? nil : waiting
    }

    // MARK: Eviction

    private mutating func evict(_ now: Timestamp, _ events: inout [TrafficEvent]) {
        var expired: [(CallKey, Call)] = []
        for (key, call) in zip(calls.keys, calls.values) where !call.isHeld && now.since(call.lastSeen) > callLifetime {
            expired.append((key, call))
        }
        expired.sort { $0.1.lastSeen < $1.1.lastSeen }
        for (key, call) in expired {
            calls.remove(key)
            unwait(key)
            tally.evictedCalls += 1
            emit(.call(CallEvent(
                call: call.id(key), name: nameText(key), step: .abandoned(reason: "no end seen by the proxy"), at: now)),
                &events)
        }
    }
}
