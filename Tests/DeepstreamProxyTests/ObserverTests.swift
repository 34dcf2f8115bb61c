import DeepstreamProtocol
import DeepstreamProxy
import Testing

/// The pure observer fed with the frames of real captures (no sockets).
@Suite("ProxyObserver")
struct ObserverTests {
    /// Runs a capture's frames through scanners (one per connection and direction) and the observer.
    static func observe(
        _ frames: [CaptureFrame], clients: [String]? = nil, including: Set<String>? = nil, frames withFrames: Bool = false
    ) -> [TrafficEvent] {
        var observer = ProxyObserver(includingFrames: withFrames)
        var peers: [String: PeerID] = [:]
        var scanners: [String: FrameScanner] = [:]
        var events: [TrafficEvent] = []
        var clock: UInt64 = 1_000_000_000
        for frame in frames {
            if let including, !including.contains(frame.client) { continue }
            clock += 1_000_000
            let at = Timestamp(nanoseconds: clock)
            if peers[frame.client] == nil {
                let peer = PeerID(UInt64(peers.count + 1))
                peers[frame.client] = peer
                events += observer.handle(.opened(peer, remoteAddress: "127.0.0.1", path: "/deepstream", at: at))
            }
            let key = frame.client + (frame.toServer ? ">" : "<")
            var scanner = scanners[key] ?? FrameScanner(mode: .frames)
            var messages: [ScannedMessage] = []
            frame.bytes.withUnsafeBytes { scanner.scan($0, into: &messages) }
            scanners[key] = scanner
            for message in messages {
                events += observer.handle(.message(peers[frame.client]!, frame.toServer ? .inbound : .outbound, message, at: at))
            }
        }
        for (_, peer) in peers.sorted(by: { $0.value < $1.value }) {
            events += observer.handle(.closed(peer, reason: "end", at: Timestamp(nanoseconds: clock + 1)))
        }
        return events
    }

    static func steps(_ events: [TrafficEvent]) -> [String] {
        events.compactMap { if case .call(let c) = $0 { stepText(c) } else { nil } }
    }

    @Test("rpc-binary-open: every call becomes one timeline with the route, reroute and server errors")
    func rpcOpen() {
        // Peers by first appearance: A = #1, B = #2, C = #3.
        let events = Self.observe(CaptureFrames.rpcOpen)
        #expect(Self.steps(events) == [
            "add-two-numbers #2 requested", "add-two-numbers #2 routed #1", "add-two-numbers #2 accepted #1",
            "add-two-numbers #2 responded 11",
            "reroute-me #2 requested", "reroute-me #2 routed #3", "reroute-me #2 rejected #3", "reroute-me #2 routed #1",
            "reroute-me #2 accepted #1", "reroute-me #2 responded \"answered by A\"",
            "reject-only #2 requested", "reject-only #2 routed #1", "reject-only #2 rejected #1",
            "reject-only #2 failed NO_RPC_PROVIDER",
            "nobody-provides-this #2 requested", "nobody-provides-this #2 failed NO_RPC_PROVIDER",
            "fails #2 requested", "fails #2 routed #1", "fails #2 errored \"something went wrong\"",
            "never-accepts #2 requested", "never-accepts #2 routed #1", "never-accepts #2 failed ACCEPT_TIMEOUT",
            "never-answers #2 requested", "never-answers #2 routed #1", "never-answers #2 accepted #1",
            "never-answers #2 failed RESPONSE_TIMEOUT",
            "add-two-numbers #2 requested", "add-two-numbers #2 routed #1", "add-two-numbers #2 accepted #1",
            "add-two-numbers #2 responded 3",
        ])
        let logins = events.compactMap { if case .loggedIn(let p, _, _, _) = $0 { p } else { nil } }
        #expect(logins == [PeerID(1), PeerID(2), PeerID(3)])
        let providers = events.compactMap { event -> String? in
            switch event {
            case .providerAdded(let p, let n, _): "+\(p) \(n)"
            case .providerRemoved(let p, let n, _): "-\(p) \(n)"
            default: nil
            }
        }
        #expect(providers.contains("+#1 add-two-numbers"))
        #expect(providers.contains("+#3 reroute-me"))
        #expect(providers.contains("-#1 add-two-numbers"))
        // Acked provides only: every added name is removed exactly once (unprovide or disconnect).
        #expect(providers.filter { $0.hasPrefix("+") }.count == providers.filter { $0.hasPrefix("-") }.count)
    }

    @Test("mixed-topics through a proxy: user names from AUTH, RPCs decoded, other topics counted")
    func mixedTopics() {
        var observer = ProxyObserver()
        _ = observer
        let events = Self.observe(CaptureFrames.mixedTopics)
        let users = events.compactMap { if case .loggedIn(let p, let u, _, _) = $0 { "\(p) \(u)" } else { nil } }
        #expect(users == ["#1 A", "#2 B", "#3 B"])
        #expect(Self.steps(events) == [
            "add-two-numbers #1 requested", "add-two-numbers #1 routed #3", "add-two-numbers #1 accepted #3",
            "add-two-numbers #1 responded 11",
            "nobody-provides-this #1 requested", "nobody-provides-this #1 failed NO_RPC_PROVIDER",
        ])
        observer = ProxyObserver()
        var scanner = FrameScanner(mode: .frames)
        var messages: [ScannedMessage] = []
        for frame in CaptureFrames.mixedTopics { frame.bytes.withUnsafeBytes { scanner.scan($0, into: &messages) } }
        _ = observer.handle(.opened(PeerID(1), remoteAddress: "x", path: "/deepstream", at: Timestamp(nanoseconds: 0)))
        for message in messages { _ = observer.handle(.message(PeerID(1), .inbound, message, at: Timestamp(nanoseconds: 1))) }
        #expect(observer.counters.messagesPerTopic[.record] == 27)
        #expect(observer.counters.messagesPerTopic[.event] == 15)
        #expect(observer.counters.messagesPerTopic[.presence] == 11)
        #expect(observer.counters.messagesPerTopic[.rpc] == 10)
        #expect(observer.counters.undecodable == 0)
    }

    @Test("a call whose requestor is not behind the proxy starts at routed, requestor #0")
    func halfCallProviderSide() {
        let events = Self.observe(CaptureFrames.rpcOpen, including: ["A"])
        let steps = Self.steps(events)
        #expect(steps.prefix(4) == [
            "add-two-numbers #0 routed #1", "add-two-numbers #0 accepted #1", "add-two-numbers #0 responded 11",
            "reroute-me #0 routed #1",
        ])
        // The provider's own answer ends its half; nothing stays pending forever for answered calls.
        #expect(steps.contains("fails #0 errored \"something went wrong\""))
    }

    @Test("a call whose provider is not behind the proxy has no routed step and an accept by #0")
    func halfCallRequestorSide() {
        let events = Self.observe(CaptureFrames.rpcOpen, including: ["B"])
        let steps = Self.steps(events)
        #expect(steps.prefix(4) == [
            "add-two-numbers #1 requested", "add-two-numbers #1 accepted #0", "add-two-numbers #1 responded 11",
            "reroute-me #1 requested",
        ])
    }

    @Test("POST /api callers are named like logged-in clients: user@node behind several upstreams, once per user")
    func httpCallerNamed() {
        var observer = ProxyObserver()
        let http = PeerID(3)
        var events = observer.handle(.opened(http, remoteAddress: "c", path: "/api", node: "10.0.0.6:6020", at: Timestamp(nanoseconds: 1)))
        let body = #"{"authData":{"username":"carl","password":"carl-secret"},"body":[{"topic":"rpc","action":"make","rpcName":"f","data":1}]}"#
        events += observer.handle(.httpRequest(http, body: Array(body.utf8), at: Timestamp(nanoseconds: 2)))
        events += observer.handle(.httpRequest(http, body: Array(body.utf8), at: Timestamp(nanoseconds: 3)))
        let logins = events.compactMap { event -> String? in
            if case .loggedIn(let peer, let user, _, _) = event, peer == http { return user }
            return nil
        }
        #expect(logins == ["carl@10.0.0.6:6020"])
        #expect(!"\(events)".contains("carl-secret"))
        // A single upstream: the bare user name; no auth data and no node: no login event at all.
        var single = ProxyObserver()
        var plain = single.handle(.opened(http, remoteAddress: "c", path: "/api", at: Timestamp(nanoseconds: 1)))
        plain += single.handle(.httpRequest(http, body: Array(body.utf8), at: Timestamp(nanoseconds: 2)))
        let other = PeerID(4)
        plain += single.handle(.opened(other, remoteAddress: "d", path: "/api", at: Timestamp(nanoseconds: 3)))
        plain += single.handle(.httpRequest(other, body: Array(#"{"body":[{"topic":"rpc","action":"make","rpcName":"f"}]}"#.utf8), at: Timestamp(nanoseconds: 4)))
        let plainLogins = plain.compactMap { event -> String? in
            if case .loggedIn(let peer, let user, _, _) = event { return "\(peer.rawValue) \(user)" }
            return nil
        }
        #expect(plainLogins == ["3 carl"])
    }

    @Test("http-rpc-open: POST /api calls are linked to the server's REQUEST to the provider by name; results by index")
    func httpAPI() {
        var observer = ProxyObserver()
        var events: [TrafficEvent] = []
        var scanners: [Bool: FrameScanner] = [true: FrameScanner(mode: .frames), false: FrameScanner(mode: .frames)]
        let provider = PeerID(1)
        let http = PeerID(2)
        events += observer.handle(.opened(provider, remoteAddress: "a", path: "/deepstream", at: Timestamp(nanoseconds: 1)))
        func feed(_ frames: ArraySlice<CaptureFrame>) {
            for frame in frames {
                var messages: [ScannedMessage] = []
                frame.bytes.withUnsafeBytes { scanners[frame.toServer]!.scan($0, into: &messages) }
                for message in messages {
                    events += observer.handle(.message(provider, frame.toServer ? .inbound : .outbound, message, at: Timestamp(nanoseconds: 2)))
                }
            }
        }
        // Login and PROVIDE, then the HTTP request, then the forwarded REQUEST, ACCEPT, RESPONSE.
        feed(CaptureFrames.httpOpen[0..<6])
        events += observer.handle(.opened(http, remoteAddress: "b", path: "/api", at: Timestamp(nanoseconds: 3)))
        events += observer.handle(.httpRequest(http, body: Array(CaptureFrames.httpRequestBody.utf8), at: Timestamp(nanoseconds: 3)))
        feed(CaptureFrames.httpOpen[6..<9])
        var response = HTTPBodyCollector(responseLimit: 1 << 20)
        let body = Array(CaptureFrames.httpResponse.utf8).withUnsafeBytes { response.scan($0) }
        #expect(response.status == 200)
        events += observer.handle(.httpResponse(http, status: response.status, body: body ?? [], at: Timestamp(nanoseconds: 4)))
        #expect(Self.steps(events) == [
            "add-two-numbers #2 requested", "nobody-provides-this #2 requested",
            "add-two-numbers #2 routed #1", "add-two-numbers #2 accepted #1", "add-two-numbers #2 responded 11",
            "nobody-provides-this #2 failed NO_RPC_PROVIDER",
        ])
        #expect(observer.pendingCallCount == 0)
    }

    @Test("credentials never appear: only the username is kept, also in frame events")
    func credentials() {
        var observer = ProxyObserver(includingFrames: true)
        let auth = Message.auth(AuthMessage(action: .request, data: #"{"username":"ann","password":"s3cret-pw","token":"tok-XYZ"}"#))
        let bytes = BinaryCodec().encode(auth)
        var events = observer.handle(.opened(PeerID(1), remoteAddress: "a", path: "/deepstream", at: Timestamp(nanoseconds: 1)))
        events += observer.handle(.message(PeerID(1), .inbound, ScannedMessage(kind: .binary, payload: bytes, wireBytes: 10), at: Timestamp(nanoseconds: 2)))
        let ok = BinaryCodec().encode(.auth(AuthMessage(action: .authSuccessful)))
        events += observer.handle(.message(PeerID(1), .outbound, ScannedMessage(kind: .binary, payload: ok, wireBytes: 10), at: Timestamp(nanoseconds: 3)))
        let text = events.map { "\($0)" }.joined(separator: "\n")
        #expect(!text.contains("s3cret-pw"))
        #expect(!text.contains("tok-XYZ"))
        #expect(text.contains("ann"))
        #expect(events.contains { if case .loggedIn(_, "ann", _, _) = $0 { true } else { false } })
    }

    /// Feeds hand-made messages: (peer, inbound?, message) on `/deepstream` (binary) or `/deepstream-json`.
    static func run(_ script: [(UInt64, Bool, Message)], json: Bool = false) -> [TrafficEvent] {
        var observer = ProxyObserver()
        var events: [TrafficEvent] = []
        var opened: Set<UInt64> = []
        for (index, (peer, inbound, message)) in script.enumerated() {
            let at = Timestamp(nanoseconds: UInt64(index + 1) * 1000)
            if opened.insert(peer).inserted {
                events += observer.handle(.opened(PeerID(peer), remoteAddress: "x", path: json ? "/deepstream-json" : "/deepstream", at: at))
            }
            let payload = json ? Array(JSONCodec().encode(message).utf8) : BinaryCodec().encode(message)
            let scanned = ScannedMessage(kind: json ? .text : .binary, payload: payload, wireBytes: payload.count + 2)
            events += observer.handle(.message(PeerID(peer), inbound ? .inbound : .outbound, scanned, at: at))
        }
        return events
    }

    static func rpc(_ action: RPCAction, _ cid: String, _ name: String, data: String? = nil, original: RPCAction? = nil) -> Message {
        var message = RPCMessage(action: action, data: data, correlationId: cid, name: name)
        message.originalAction = original
        return .rpc(message)
    }

    @Test("login refused and too many attempts are loginFailed with the user name")
    func loginFailed() {
        let events = Self.run([
            (1, true, .auth(AuthMessage(action: .request, data: #"{"username":"eve","password":"nope"}"#))),
            (1, false, .auth(AuthMessage(action: .authUnsuccessful))),
            (1, false, .auth(AuthMessage(action: .tooManyAuthAttempts))),
        ])
        let failed = events.compactMap { if case .loginFailed(_, let user, _) = $0 { user } else { nil } }
        #expect(failed == ["eve", "eve"])
        #expect(!events.map { "\($0)" }.joined().contains("nope"))
    }

    @Test("MESSAGE_DENIED and a refused duplicate REQUEST (INVALID_RPC_CORRELATION_ID) end the call; JSON endpoint too")
    func serverErrors() {
        for json in [false, true] {
            let events = Self.run([
                (1, true, Self.rpc(.request, "c1", "secret", data: "1")),
                (1, false, Self.rpc(.messageDenied, "c1", "secret", original: .request)),
                (1, true, Self.rpc(.request, "c2", "dup", data: "1")),
                (1, false, Self.rpc(.invalidRPCCorrelationID, "c2", "dup", original: .request)),
                // A provider's late answer (its call already ended) changes nothing.
                (2, true, Self.rpc(.response, "c9", "late", data: "1")),
                (2, false, Self.rpc(.invalidRPCCorrelationID, "c9", "late", original: .response)),
            ], json: json)
            #expect(Self.steps(events) == [
                "secret #1 requested", "secret #1 failed MESSAGE_DENIED",
                "dup #1 requested", "dup #1 failed INVALID_RPC_CORRELATION_ID",
            ], "json: \(json)")
        }
    }

    @Test("a provider behind the proxy whose requestor is not: INVALID_RPC_CORRELATION_ID to it ends its half call")
    func lateAnswerHalfCall() {
        let events = Self.run([
            (1, false, Self.rpc(.request, "c1", "slow", data: "1")),
            (1, true, Self.rpc(.accept, "c1", "slow")),
            (1, true, Self.rpc(.response, "c1", "slow", data: "2")),
            (1, false, Self.rpc(.invalidRPCCorrelationID, "c1", "slow", original: .response)),
        ])
        // The provider's RESPONSE ends the half call already (the requestor's outcome is not visible).
        #expect(Self.steps(events) == ["slow #0 routed #1", "slow #0 accepted #1", "slow #0 responded 2"])
    }

    @Test("garbage, text on the binary endpoint and compressed frames are counted, not fatal")
    func undecodable() {
        var observer = ProxyObserver(includingFrames: true)
        _ = observer.handle(.opened(PeerID(1), remoteAddress: "a", path: "/deepstream", at: Timestamp(nanoseconds: 1)))
        let inputs: [ScannedMessage] = [
            ScannedMessage(kind: .binary, payload: [0xFF, 0xFF, 0x01], wireBytes: 5),
            ScannedMessage(kind: .text, payload: Array("hello".utf8), wireBytes: 7),
            ScannedMessage(kind: .binary, payload: nil, wireBytes: 9, compressed: true),
            ScannedMessage(kind: .other(3), payload: [], wireBytes: 2),
        ]
        var frames = 0
        for input in inputs {
            for event in observer.handle(.message(PeerID(1), .inbound, input, at: Timestamp(nanoseconds: 2))) {
                if case .frame(_, _, nil, _, _) = event { frames += 1 }
            }
        }
        #expect(observer.counters.undecodable == 4)
        #expect(frames == 4)
    }

    @Test("calls that never end are evicted after the call lifetime with an abandoned step")
    func eviction() {
        var observer = ProxyObserver(callLifetime: .seconds(2))
        _ = observer.handle(.opened(PeerID(1), remoteAddress: "a", path: "/deepstream", at: Timestamp(nanoseconds: 0)))
        let request = BinaryCodec().encode(.rpc(RPCMessage(action: .request, data: "1", correlationId: "c1", name: "slow")))
        _ = observer.handle(.message(PeerID(1), .inbound, ScannedMessage(kind: .binary, payload: request, wireBytes: 9), at: Timestamp(nanoseconds: 0)))
        #expect(observer.pendingCallCount == 1)
        #expect(observer.handle(.tick(Timestamp(nanoseconds: 1_000_000_000))).isEmpty)
        let events = observer.handle(.tick(Timestamp(nanoseconds: 3_000_000_000)))
        #expect(Self.steps(events) == ["slow #1 abandoned no end seen by the proxy"])
        #expect(observer.pendingCallCount == 0)
        #expect(observer.counters.evictedCalls == 1)
    }
}

/// The frame scanner on its own.
@Suite("FrameScanner")
struct FrameScannerTests {
    @Test("frames split at every byte boundary come out the same; fragments are joined, control frames pass between")
    func splitting() {
        let stream = clientFrame(opcode: 2, [1, 2, 3], fin: false) + clientFrame(opcode: 9, Array("hi".utf8))
            + clientFrame(opcode: 0, [4, 5], fin: true) + clientFrame(opcode: 1, Array(repeating: 65, count: 300))
            + clientFrame(opcode: 8, [0x03, 0xE8] + Array("bye".utf8))
        for step in [1, 2, 3, 7, stream.count] {
            var scanner = FrameScanner(mode: .frames)
            var messages: [ScannedMessage] = []
            var index = 0
            while index < stream.count {
                let end = min(stream.count, index + step)
                Array(stream[index..<end]).withUnsafeBytes { scanner.scan($0, into: &messages) }
                index = end
            }
            #expect(messages.map(\.kind) == [.ping, .binary, .text, .close])
            #expect(messages[1].payload == [1, 2, 3, 4, 5])
            #expect(messages[2].payload == Array(repeating: 65, count: 300))
            #expect(messages[3].closeStatus.code == 1000)
            #expect(messages[3].closeStatus.reason == "bye")
            #expect(scanner.isAtFrameBoundary)
        }
    }

    @Test("the response head is skipped; a non-101 answer turns the scanner off")
    func responseHead() {
        var scanner = FrameScanner(mode: .responseHead)
        var messages: [ScannedMessage] = []
        let bytes = Array("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n".utf8) + serverFrame(opcode: 2, [9])
        bytes.withUnsafeBytes { scanner.scan($0, into: &messages) }
        #expect(messages == [ScannedMessage(kind: .binary, payload: [9], wireBytes: 3)])
        var refused = FrameScanner(mode: .responseHead)
        Array("HTTP/1.1 404 Not Found\r\n\r\n".utf8 + serverFrame(opcode: 2, [9])).withUnsafeBytes {
            refused.scan($0, into: &messages)
        }
        #expect(refused.mode == .opaque)
        #expect(refused.responseStatus == 404)
    }

    @Test("payloads over the observation limit are reported without payload")
    func limit() {
        var scanner = FrameScanner(mode: .frames, observationLimit: 10)
        var messages: [ScannedMessage] = []
        serverFrame(opcode: 2, Array(repeating: 1, count: 200)).withUnsafeBytes { scanner.scan($0, into: &messages) }
        #expect(messages.count == 1)
        #expect(messages[0].payload == nil)
        #expect(messages[0].wireBytes == 204)
    }
}

/// The client's request head and what is sent upstream.
@Suite("RequestHead")
struct RequestHeadTests {
    @Test("Host names the upstream, X-Forwarded-For is added or extended, extensions are not offered")
    func forwarded() throws {
        let text = RawConnection.upgradeRequest(target: "/deepstream?x=1", port: 6021, extraHeaders: "X-Custom: a b\r\n")
        guard case .complete(let head, let length) = RequestHead.scan(Array(text.utf8)) else {
            Issue.record("not complete")
            return
        }
        #expect(length == text.utf8.count)
        #expect(head.path == "/deepstream")
        #expect(head.target == "/deepstream?x=1")
        #expect(head.isWebSocketUpgrade)
        let out = String(decoding: head.forwarded(host: "ds.example:6020", clientAddress: "10.1.2.3"), as: UTF8.self)
        #expect(out.hasPrefix("GET /deepstream?x=1 HTTP/1.1\r\nHost: ds.example:6020\r\n"))
        #expect(out.contains("X-Forwarded-For: 10.1.2.3\r\n"))
        #expect(out.contains("X-Custom: a b\r\n"))
        #expect(!out.lowercased().contains("sec-websocket-extensions"))
        #expect(out.contains("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"))
        #expect(out.hasSuffix("\r\n\r\n"))
        let chained = RequestHead(method: "GET", target: "/", version: "HTTP/1.1", fields: [.init(name: "X-Forwarded-For", value: "1.1.1.1")])
        #expect(String(decoding: chained.forwarded(host: "h", clientAddress: "2.2.2.2"), as: UTF8.self).contains("X-Forwarded-For: 1.1.1.1, 2.2.2.2\r\n"))
    }

    @Test("incomplete, oversized and malformed heads")
    func problems() {
        #expect(RequestHead.scan(Array("GET / HTTP/1.1\r\nHost: x\r\n".utf8)) == .incomplete)
        #expect(RequestHead.scan(Array(repeating: UInt8(ascii: "a"), count: 20_000), limit: 16_384) == .failed(.tooLarge))
        #expect(RequestHead.scan(Array("\u{16}\u{3}\u{1}garbage\r\n\r\n".utf8)) == .failed(.malformed))
    }
}
