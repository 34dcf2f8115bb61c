import DeepstreamProtocol
import DeepstreamProxy
import Testing

/// Every request of a keep-alive HTTP connection: the pure scanner, the observer, and real sockets.
@Suite("Keep-alive HTTP")
struct KeepAliveTests {
    static func apiRequest(_ body: String, chunked: Bool = false) -> [UInt8] {
        if chunked {
            let bytes = Array(body.utf8)
            let half = bytes.count / 2
            let chunks = String(half, radix: 16) + "\r\n" + String(decoding: bytes[..<half], as: UTF8.self) + "\r\n"
                + String(bytes.count - half, radix: 16) + ";ext=1\r\n" + String(decoding: bytes[half...], as: UTF8.self)
                + "\r\n0\r\nX-Trailer: yes\r\n\r\n"
            return Array("POST /api HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n\(chunks)".utf8)
        }
        return Array("POST /api HTTP/1.1\r\nHost: h\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8)
    }

    static func makeBody(_ name: String) -> String {
        #"{"body":[{"topic":"rpc","action":"make","rpcName":"\#(name)","data":1}]}"#
    }

    static func answer(_ body: String, chunked: Bool = false) -> [UInt8] {
        if chunked {
            return Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\(String(body.utf8.count, radix: 16))\r\n\(body)\r\n0\r\n\r\n".utf8)
        }
        return Array("HTTP/1.1 200 OK\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8)
    }

    static let success = #"{"result":"SUCCESS","body":[{"success":true,"data":2}]}"#

    @Test("requests: the first body, a GET without body, a chunked body with trailer, split at every byte")
    func requestStream() {
        let firstHead: RequestHead
        let first = Self.apiRequest(Self.makeBody("a"))
        guard case .complete(let head, let length) = RequestHead.scan(first) else {
            Issue.record("no head")
            return
        }
        firstHead = head
        let stream = Array(first[length...]) + Array("GET /health-check HTTP/1.1\r\nHost: h\r\n\r\n".utf8)
            + Self.apiRequest(Self.makeBody("b"), chunked: true) + Self.apiRequest(Self.makeBody("c"))
        for step in [1, 2, 5, 13, stream.count] {
            var scanner = HTTPExchangeScanner(requestsAfter: firstHead)
            var exchanges: [HTTPExchangeScanner.Exchange] = []
            var index = 0
            while index < stream.count {
                let end = min(stream.count, index + step)
                Array(stream[index..<end]).withUnsafeBytes { scanner.scan($0, into: &exchanges) }
                index = end
            }
            #expect(exchanges.map { $0.head?.target } == ["/api", "/health-check", "/api", "/api"], "step \(step)")
            #expect(exchanges.map { String(decoding: $0.body, as: UTF8.self) }
                == [Self.makeBody("a"), "", Self.makeBody("b"), Self.makeBody("c")], "step \(step)")
            #expect(!scanner.isOff)
        }
    }

    @Test("responses: 100 Continue skipped, 204 without body, chunked and sized bodies in turn")
    func responseStream() {
        let stream = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8) + Self.answer("one", chunked: true)
            + Array("HTTP/1.1 204 No Content\r\n\r\n".utf8) + Self.answer("three")
        for step in [1, 3, stream.count] {
            var scanner = HTTPExchangeScanner(responsesWithLimit: 1 << 20)
            var exchanges: [HTTPExchangeScanner.Exchange] = []
            var index = 0
            while index < stream.count {
                let end = min(stream.count, index + step)
                Array(stream[index..<end]).withUnsafeBytes { scanner.scan($0, into: &exchanges) }
                index = end
            }
            #expect(exchanges.map(\.status) == [200, 204, 200])
            #expect(exchanges.map { String(decoding: $0.body, as: UTF8.self) } == ["one", "", "three"])
        }
    }

    @Test("a body over the limit or a malformed head switches the scanner off (forwarding is not affected)")
    func givesUp() {
        var scanner = HTTPExchangeScanner(responsesWithLimit: 10)
        var exchanges: [HTTPExchangeScanner.Exchange] = []
        Self.answer(String(repeating: "x", count: 11)).withUnsafeBytes { scanner.scan($0, into: &exchanges) }
        #expect(scanner.isOff)
        #expect(exchanges.isEmpty)
        guard case .complete(let head, _) = RequestHead.scan(Array("GET / HTTP/1.1\r\n\r\n".utf8)) else { return }
        var requests = HTTPExchangeScanner(requestsAfter: head)
        Array("NOT HTTP\r\n\r\n".utf8).withUnsafeBytes { requests.scan($0, into: &exchanges) }
        #expect(requests.isOff)
    }

    @Test("the observer: two POST /api requests on one connection are two calls, each ended by its own answer")
    func observerKeepAlive() {
        var observer = ProxyObserver()
        var events: [TrafficEvent] = []
        let peer = PeerID(4)
        let at = Timestamp(nanoseconds: 1)
        observer.handle(.opened(peer, remoteAddress: "a", path: "/api", at: at), into: &events)
        observer.handle(.httpRequest(peer, body: Array(Self.makeBody("first").utf8), at: at), into: &events)
        observer.handle(.httpRequest(peer, body: Array("not json".utf8), at: at), into: &events)
        observer.handle(.httpRequest(peer, body: Array(Self.makeBody("third").utf8), at: at), into: &events)
        observer.handle(.httpResponse(peer, status: 200, body: Array(Self.success.utf8), at: at), into: &events)
        observer.handle(.httpResponse(peer, status: 400, body: [], at: at), into: &events)
        observer.handle(.httpResponse(peer, status: 200, body: Array(#"{"body":[{"success":true,"data":3}]}"#.utf8), at: at), into: &events)
        let calls = events.compactMap { event -> String? in
            guard case .call(let call) = event else { return nil }
            return "\(call.call.correlationId) " + stepText(call)
        }
        #expect(calls == [
            "http-4-0 first #4 requested", "http-4-2-0 third #4 requested",
            "http-4-0 first #4 responded 2", "http-4-2-0 third #4 responded 3",
        ])
        #expect(observer.pendingCallCount == 0)
        #expect(observer.counters.undecodable == 1)
    }

    @Test("real sockets: a health check, then two POST /api requests (one chunked) on one connection, all observed")
    func throughTheProxy() async throws {
        let upstream = try await RawServer.start(answer: false)
        let (proxy, port) = try await startProxy(upstreamPort: upstream.port)
        let events = EventCollector(proxy.events())
        let http = try await RawConnection.connect(port: port)
        try await http.send(Array("GET /health-check HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8))
        let server = try await upstream.connection(0)
        let health = Array("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK".utf8)
        try await server.send(health)
        try await eventually("health answer") { http.received.count >= health.count }
        let first = Self.apiRequest(Self.makeBody("kept-alive"))
        let second = Self.apiRequest(Self.makeBody("chunked"), chunked: true)
        try await http.send(first)
        try await http.send(second)
        try await eventually("both requests upstream") { server.received.count >= first.count + second.count }
        // Everything after the first head arrives unchanged.
        #expect(Array(server.received.suffix(first.count + second.count)) == first + second)
        let answers = Self.answer(Self.success) + Self.answer(#"{"body":[{"success":true,"data":"c"}]}"#, chunked: true)
        try await server.send(answers)
        try await eventually("answers back") { http.received.count >= health.count + answers.count }
        #expect(http.received == health + answers)
        try await events.waitFor("both calls end") { _ in
            events.steps.contains("kept-alive #1 responded 2") && events.steps.contains("chunked #1 responded \"c\"")
        }
        #expect(proxy.statistics.httpRequests == 3)
        await http.close()
        await upstream.stop()
        await proxy.shutdown()
    }
}
