import DeepstreamProtocol
import DeepstreamProxy
import NIOCore
import NIOPosix
import Testing

/// Starts a proxy on a free port in front of `upstreamPort`.
func startProxy(
    upstreamPort: Int, configure: (inout ProxyConfiguration) -> Void = { _ in }
) async throws -> (Proxy, Int) {
    var configuration = ProxyConfiguration(upstream: .init(host: "127.0.0.1", port: upstreamPort))
    configuration.port = 0
    configuration.connectTimeout = .seconds(2)
    configure(&configuration)
    let proxy = try Proxy(configuration: configuration)
    let address = try await proxy.start()
    return (proxy, address.port!)
}

/// Byte-for-byte forwarding through real sockets, with a raw stand-in server upstream.
@Suite("Proxy forwarding")
struct ForwardingTests {
    @Test("every frame of the mixed-topics capture, plus garbage, fragments, ping/pong and close, arrives byte for byte both ways")
    func byteForByte() async throws {
        let upstream = try await RawServer.start()
        let (proxy, port) = try await startProxy(upstreamPort: upstream.port)
        let events = EventCollector(proxy.events(includingFrames: true))
        var clients: [String: RawConnection] = [:]
        var servers: [String: RawConnection] = [:]
        var sentToServer: [String: [UInt8]] = [:]
        var sentToClient: [String: [UInt8]] = [:]
        let extra: [CaptureFrame] = [
            .init(client: "A", toServer: true, hex: hexString(clientFrame(opcode: 2, [0xFF, 0x00, 0xFE, 0x13]))),
            .init(client: "A", toServer: true, hex: hexString(clientFrame(opcode: 1, Array("not protobuf".utf8)))),
            .init(client: "A", toServer: true, hex: hexString(clientFrame(opcode: 2, [1, 2], fin: false)
                + clientFrame(opcode: 9, [7]) + clientFrame(opcode: 0, [3], fin: true))),
            .init(client: "A", toServer: false, hex: hexString(serverFrame(opcode: 10, [7]) + serverFrame(opcode: 2, [0xDE, 0xAD]))),
            .init(client: "A", toServer: true, hex: hexString(clientFrame(opcode: 2, Array(repeating: 0x5A, count: 70_000)))),
            .init(client: "A", toServer: false, hex: hexString(serverFrame(opcode: 2, Array(repeating: 0xA5, count: 70_000)))),
        ]
        let frames = Array(CaptureFrames.mixedTopics.filter { !$0.hex.hasPrefix("88") }) + extra
        for frame in frames {
            if clients[frame.client] == nil {
                clients[frame.client] = try await RawConnection.webSocket(port: port)
                servers[frame.client] = try await upstream.connection(servers.count)
            }
            if frame.toServer {
                try await clients[frame.client]!.send(frame.bytes)
                sentToServer[frame.client, default: []] += frame.bytes
                // Like a real server, the stand-in answers only what it has received (causal order).
                let server = servers[frame.client]!
                let expected = sentToServer[frame.client, default: []].count
                try await eventually("frame upstream") { server.received.count >= expected }
            } else {
                try await servers[frame.client]!.send(frame.bytes)
                sentToClient[frame.client, default: []] += frame.bytes
            }
        }
        for (name, client) in clients {
            let server = servers[name]!
            try await eventually("\(name)'s bytes upstream") { server.received.count >= sentToServer[name, default: []].count }
            try await eventually("\(name)'s bytes back") { client.receivedAfterHead.count >= sentToClient[name, default: []].count }
            #expect(firstDifference(server.received, sentToServer[name, default: []]) == nil, "client→server bytes of \(name)")
            #expect(firstDifference(client.receivedAfterHead, sentToClient[name, default: []]) == nil, "server→client bytes of \(name)")
        }
        // The upgrade request upstream: same target, Host of the upstream, X-Forwarded-For, no extension offer.
        let head = servers["A"]!.log.head.withLockedValue { $0 } ?? ""
        #expect(head.hasPrefix("GET /deepstream HTTP/1.1\r\n"))
        #expect(head.contains("Host: 127.0.0.1:\(upstream.port)\r\n"))
        #expect(head.contains("X-Forwarded-For: 127.0.0.1\r\n"))
        #expect(!head.lowercased().contains("sec-websocket-extensions"))
        // The observer saw the traffic: users, the call, and the undecodable frames (counted).
        try await events.waitFor("the NO_RPC_PROVIDER step") { _ in events.steps.contains { $0.contains("failed NO_RPC_PROVIDER") } }
        let users = events.all.compactMap { if case .loggedIn(_, let u, _, _) = $0 { u } else { nil } }
        #expect(users == ["A", "B", "B"])
        #expect(events.steps.contains("add-two-numbers #1 responded 11"))
        try await eventually("undecodable counted") { proxy.statistics.observer.undecodable >= 3 }
        #expect(proxy.statistics.observer.messagesPerTopic[.record, default: 0] >= 27)
        for client in clients.values { await client.close() }
        await upstream.stop()
        await proxy.shutdown()
    }

    @Test("frames sent right behind the request head, while the upstream connects, are forwarded in order")
    func earlyBytes() async throws {
        let upstream = try await RawServer.start()
        let (proxy, port) = try await startProxy(upstreamPort: upstream.port)
        let client = try await RawConnection.connect(port: port)
        let frames = CaptureFrames.rpcOpen.filter { $0.client == "B" && $0.toServer }.map(\.bytes)
        // The head and the first frame in one write, the rest in separate writes without waiting.
        try await client.send(Array(RawConnection.upgradeRequest(target: "/deepstream", port: port).utf8) + frames[0])
        for frame in frames.dropFirst() { try await client.send(frame) }
        let server = try await upstream.connection(0)
        let expected = frames.flatMap { $0 }
        try await eventually("all early frames upstream") { server.received.count >= expected.count }
        #expect(firstDifference(server.received, expected) == nil)
        await client.close()
        await upstream.stop()
        await proxy.shutdown()
    }

    @Test("path and query are forwarded as sent, to any endpoint")
    func pathAndQuery() async throws {
        let upstream = try await RawServer.start()
        let (proxy, port) = try await startProxy(upstreamPort: upstream.port)
        let client = try await RawConnection.webSocket(port: port, target: "/deepstream-json?token=abc")
        let server = try await upstream.connection(0)
        #expect(server.log.head.withLockedValue { $0 }?.hasPrefix("GET /deepstream-json?token=abc HTTP/1.1\r\n") == true)
        let other = try await RawConnection.webSocket(port: port, target: "/something/else")
        let otherServer = try await upstream.connection(1)
        #expect(otherServer.log.head.withLockedValue { $0 }?.hasPrefix("GET /something/else HTTP/1.1\r\n") == true)
        let frame = clientFrame(opcode: 1, Array(#"{"topic":"x"}"#.utf8))
        try await other.send(frame)
        try await eventually("frame on an unknown endpoint") { otherServer.received == frame }
        await client.close()
        await other.close()
        await upstream.stop()
        await proxy.shutdown()
    }

    @Test("a client's close frame goes upstream and the proxy does not answer it; the server's close comes back")
    func closeHandshake() async throws {
        let upstream = try await RawServer.start()
        let (proxy, port) = try await startProxy(upstreamPort: upstream.port)
        let events = EventCollector(proxy.events())
        let client = try await RawConnection.webSocket(port: port)
        let server = try await upstream.connection(0)
        let close = clientFrame(opcode: 8, [0x0F, 0xA0] + Array("bye now".utf8))
        try await client.send(close)
        try await eventually("close upstream") { server.received == close }
        try await Task.sleep(for: .milliseconds(100))
        #expect(client.receivedAfterHead.isEmpty, "the proxy answered the close itself")
        let answer = serverFrame(opcode: 8, [0x0F, 0xA0])
        try await server.send(answer)
        try await eventually("server's close back") { client.receivedAfterHead == answer }
        await server.close()
        try await eventually("client socket closed") { client.isClosed }
        try await events.waitFor("disconnected") { all in
            all.contains { if case .disconnected(_, let reason, _) = $0 { reason.contains("4000") } else { false } }
        }
        await upstream.stop()
        await proxy.shutdown()
    }

    @Test("a client that goes away closes its upstream connection")
    func clientLeaves() async throws {
        let upstream = try await RawServer.start()
        let (proxy, port) = try await startProxy(upstreamPort: upstream.port)
        let client = try await RawConnection.webSocket(port: port)
        let server = try await upstream.connection(0)
        await client.close()
        try await eventually("upstream closed") { server.isClosed }
        await upstream.stop()
        await proxy.shutdown()
    }

    @Test("upstream unreachable: the WebSocket client gets close code 1014 naming the upstream; HTTP gets 502")
    func upstreamDown() async throws {
        // A port that was free a moment ago: nothing listens there.
        let probe = try await RawServer.start()
        let deadPort = probe.port
        await probe.stop()
        let (proxy, port) = try await startProxy(upstreamPort: deadPort)
        let events = EventCollector(proxy.events())
        let client = try await RawConnection.webSocket(port: port)
        let response = String(decoding: client.received.prefix(headEnd(client.received) ?? 0), as: UTF8.self)
        #expect(response.hasPrefix("HTTP/1.1 101"))
        #expect(response.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"))
        try await eventually("close frame") { client.receivedAfterHead.count >= 4 }
        let frame = client.receivedAfterHead
        #expect(frame[0] == 0x88)
        #expect(Int(frame[2]) << 8 | Int(frame[3]) == 1014)
        let reason = String(decoding: frame[4...], as: UTF8.self)
        #expect(reason.contains("ws://127.0.0.1:\(deadPort)"))
        #expect(reason.contains("unreachable"))
        try await eventually("client closed") { client.isClosed }
        try await events.waitFor("disconnected with the reason") { all in
            all.contains { if case .disconnected(_, let r, _) = $0 { r.contains("unreachable") } else { false } }
        }
        let http = try await RawConnection.connect(port: port)
        try await http.send(Array("GET /health-check HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        try await eventually("502") { http.isClosed }
        #expect(String(decoding: http.received, as: UTF8.self).hasPrefix("HTTP/1.1 502 Bad Gateway"))
        #expect(proxy.statistics.upstreamFailures == 2)
        await proxy.shutdown()
    }

    @Test("upstream closes mid-connection: the client gets a 1014 close naming the upstream, then the socket closes")
    func upstreamCloses() async throws {
        let upstream = try await RawServer.start()
        let (proxy, port) = try await startProxy(upstreamPort: upstream.port)
        let client = try await RawConnection.webSocket(port: port)
        let server = try await upstream.connection(0)
        let hello = serverFrame(opcode: 2, [1, 2, 3])
        try await server.send(hello)
        try await eventually("hello") { client.receivedAfterHead == hello }
        await server.close()
        try await eventually("client closed") { client.isClosed }
        let tail = Array(client.receivedAfterHead.dropFirst(hello.count))
        #expect(tail.first == 0x88)
        #expect(tail.count > 4 && Int(tail[2]) << 8 | Int(tail[3]) == 1014)
        #expect(String(decoding: tail.dropFirst(4), as: UTF8.self).contains("ws://127.0.0.1:\(upstream.port) closed the connection"))
        await upstream.stop()
        await proxy.shutdown()
    }

    @Test("a slow upstream reader stops the proxy reading from the client (bounded memory, nothing dropped)")
    func backpressure() async throws {
        let upstream = try await RawServer.start(autoRead: false)
        let (proxy, port) = try await startProxy(upstreamPort: upstream.port) { $0.bufferSize = 64 * 1024 }
        let client = try await RawConnection.connect(port: port)
        // The stand-in server reads nothing, so answer its upgrade by reading once by hand.
        try await client.send(Array(RawConnection.upgradeRequest(target: "/deepstream", port: port).utf8))
        try await eventually("upstream accepted") { upstream.accepted.withLockedValue { !$0.isEmpty } }
        let server = upstream.accepted.withLockedValue { $0[0] }
        server.channel.read()
        try await eventually("101") { headEnd(client.received) != nil }
        let chunk = clientFrame(opcode: 2, Array(repeating: 7, count: 60_000))
        let total = 400
        let writes = client.channel.eventLoop.makePromise(of: Void.self)
        let allWritten = client.channel.eventLoop.flatSubmit {
            var last: EventLoopFuture<Void> = client.channel.eventLoop.makeSucceededVoidFuture()
            for _ in 0..<total { last = client.channel.writeAndFlush(client.channel.allocator.buffer(bytes: chunk)) }
            return last
        }
        allWritten.cascade(to: writes)
        try await Task.sleep(for: .milliseconds(700))
        // 24 MB cannot have left the client: the proxy stopped reading once its 64 KiB buffer filled.
        #expect(client.channel.isWritable == false)
        #expect(server.received.isEmpty)
        // Drain upstream: everything arrives, byte for byte.
        try await server.channel.setOption(.autoRead, value: true).get()
        server.channel.read()
        try await writes.futureResult.get()
        try await eventually("all bytes upstream", timeout: .seconds(30)) { server.received.count >= chunk.count * total }
        let received = server.received
        #expect(received.count == chunk.count * total)
        #expect(received.prefix(chunk.count).elementsEqual(chunk))
        #expect(received.suffix(chunk.count).elementsEqual(chunk))
        await client.close()
        await upstream.stop()
        await proxy.shutdown()
    }

    @Test("a subscriber that never reads and a tiny observation queue never slow or break forwarding")
    func slowObserver() async throws {
        let upstream = try await RawServer.start()
        let (proxy, port) = try await startProxy(upstreamPort: upstream.port) { $0.observationQueueLimit = 4 }
        let stuck = proxy.events(bufferingNewest: 1, includingFrames: true)
        let client = try await RawConnection.webSocket(port: port)
        let server = try await upstream.connection(0)
        var sent: [UInt8] = []
        let request = BinaryCodec().encode(.rpc(RPCMessage(action: .request, data: "1", correlationId: "c", name: "n")))
        for i in 0..<5000 {
            let frame = clientFrame(opcode: 2, request, mask: [UInt8(i & 0xFF), 1, 2, 3])
            sent += frame
        }
        try await client.send(sent)
        try await eventually("all frames upstream", timeout: .seconds(20)) { server.received.count >= sent.count }
        #expect(firstDifference(server.received, sent) == nil)
        try await eventually("drops counted") { proxy.statistics.droppedObservations + proxy.statistics.droppedEvents > 0 }
        _ = stuck
        await client.close()
        await upstream.stop()
        await proxy.shutdown()
    }

    @Test("a batch subscriber that never reads loses whole batches, counted as events; forwarding goes on")
    func stuckBatchSubscriber() async throws {
        let upstream = try await RawServer.start()
        let (proxy, port) = try await startProxy(upstreamPort: upstream.port)
        let stuck = proxy.eventBatches(bufferingNewest: 1, includingFrames: true)
        let client = try await RawConnection.webSocket(port: port)
        let server = try await upstream.connection(0)
        var sent: [UInt8] = []
        // Two rounds, the second sent only after the observer handled the first: at least two batches,
        // so the one-batch buffer must push the first out.
        for round in 0..<2 {
            var chunk: [UInt8] = []
            for i in 0..<200 {
                let id = "c\(round)-\(i)"
                let request = BinaryCodec().encode(.rpc(RPCMessage(action: .request, data: "1", correlationId: id, name: "n")))
                chunk += clientFrame(opcode: 2, request, mask: [UInt8(i & 0xFF), 1, 2, 3])
            }
            sent += chunk
            try await client.send(chunk)
            let expected = (round + 1) * 200
            try await eventually("round \(round) observed", timeout: .seconds(10)) {
                proxy.statistics.observer.messagesPerTopic[.rpc, default: 0] >= expected
            }
        }
        try await eventually("all frames upstream", timeout: .seconds(10)) { server.received.count >= sent.count }
        #expect(firstDifference(server.received, sent) == nil)
        try await eventually("the pushed-out batch is counted") { proxy.statistics.droppedEvents >= 200 }
        #expect(proxy.statistics.droppedObservations == 0)
        _ = stuck
        await client.close()
        await upstream.stop()
        await proxy.shutdown()
    }

    @Test("a client that never finishes its request head is closed after the head timeout; no upstream is opened")
    func headTimeout() async throws {
        let upstream = try await RawServer.start()
        let (proxy, port) = try await startProxy(upstreamPort: upstream.port) { $0.headTimeout = .milliseconds(200) }
        let client = try await RawConnection.connect(port: port)
        try await client.send(Array("GET /deepstream HTTP/1.1\r\nHost: x\r\n".utf8))
        try await eventually("closed by the proxy", timeout: .seconds(5)) { client.isClosed }
        #expect(upstream.accepted.withLockedValue { $0.isEmpty })
        try await eventually("connection counted as closed") { proxy.statistics.connectionsOpen == 0 }
        await upstream.stop()
        await proxy.shutdown()
    }

    @Test("POST /api: forwarded byte for byte (chunked answer included) and its RPCs observed")
    func httpAPIObserved() async throws {
        let upstream = try await RawServer.start(answer: false)
        let (proxy, port) = try await startProxy(upstreamPort: upstream.port)
        let events = EventCollector(proxy.events())
        let http = try await RawConnection.connect(port: port)
        let body = CaptureFrames.httpRequestBody
        try await http.send(Array("POST /api HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nHost: 127.0.0.1:\(port)\r\n\r\n".utf8))
        try await http.send(Array(body.utf8))
        let server = try await upstream.connection(0)
        try await eventually("body upstream") { server.received.count >= body.utf8.count }
        #expect(server.received == Array(body.utf8))
        let response = Array(CaptureFrames.httpResponse.utf8)
        // In two pieces, split inside the chunk.
        try await server.send(Array(response[..<300]))
        try await server.send(Array(response[300...]))
        try await eventually("response back") { http.received.count >= response.count }
        #expect(firstDifference(http.received, response) == nil)
        try await events.waitFor("both HTTP calls end") { _ in
            events.steps.contains("nobody-provides-this #1 failed NO_RPC_PROVIDER")
                && events.steps.contains { $0.hasPrefix("add-two-numbers #1 responded") }
        }
        // No provider behind the proxy here: the successful call ends with the HTTP result.
        #expect(events.steps.contains("add-two-numbers #1 responded 11"))
        await http.close()
        await upstream.stop()
        await proxy.shutdown()
    }

    @Test("plain HTTP on the same port is forwarded with X-Forwarded-For")
    func plainHTTP() async throws {
        let upstream = try await RawServer.start()
        let (proxy, port) = try await startProxy(upstreamPort: upstream.port)
        let http = try await RawConnection.connect(port: port)
        let body = #"{"body":[{"topic":"rpc","action":"make","rpcName":"x"}]}"#
        try await http.send(Array("POST /api HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8))
        let server = try await upstream.connection(0)
        try await eventually("body upstream") { server.received.count >= body.utf8.count }
        #expect(server.received == Array(body.utf8))
        let head = server.log.head.withLockedValue { $0 } ?? ""
        #expect(head.hasPrefix("POST /api HTTP/1.1\r\n"))
        #expect(head.contains("X-Forwarded-For: 127.0.0.1\r\n"))
        #expect(proxy.statistics.httpRequests == 1)
        await http.close()
        await upstream.stop()
        await proxy.shutdown()
    }
}

func hexString(_ bytes: [UInt8]) -> String {
    bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
}
