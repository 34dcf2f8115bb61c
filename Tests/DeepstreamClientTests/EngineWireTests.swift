import DeepstreamClient
import DeepstreamProtocol
import Testing

/// Byte-level conformance: the engine's frames equal the spec's example frames (§8, copied here), and
/// the spec's server frames drive it as expected.
@Suite("ClientEngine wire bytes")
struct EngineWireTests {
    static func hex(_ text: String) -> [UInt8] {
        text.split(separator: " ").map { UInt8($0, radix: 16)! }
    }

    static let ping = hex("06 10 02 1a 02 08 02")
    static let authEmpty = hex("0a 10 03 1a 06 08 02 12 02 7b 7d")
    static let provideAddTwo = hex("11 10 06 1a 0d 08 08 1a 01 30 32 06 61 64 64 54 77 6f")
    static let requestWithRequestor = hex("""
        58 10 06 1a 54 08 02 12 13 7b 22 6e 75 6d 41 22 3a 31 2c 22 6e 75 6d 42 22 3a 32 7d 1a 02 63 31 3a 06 61 64 64 54 77 \
        6f 52 05 75 73 65 72 42 5a 28 7b 22 66 61 76 6f 72 69 74 65 20 63 6f 6c 6f 72 22 3a 22 6f 72 61 6e 67 65 22 2c 22 69 \
        64 22 3a 22 75 73 65 72 42 22 7d
        """)
    static let acceptC1 = hex("12 10 06 1a 0e 08 04 1a 02 63 31 3a 06 61 64 64 54 77 6f")
    static let responseC1 = hex("15 10 06 1a 11 08 05 12 01 33 1a 02 63 31 3a 06 61 64 64 54 77 6f")

    @Test("AUTH {}, PROVIDE, PING, ACCEPT and RESPONSE bytes equal the spec's; the requestor frame is understood")
    func specFrames() async throws {
        let peer = TestPeer()
        let port = try await peer.start()
        let engine = try ClientEngine(url: "127.0.0.1:\(port)", options: testOptions(heartbeat: .milliseconds(50)))
        let events = EventRecorder(engine)
        try await engine.login()
        let seen = Box()
        try await engine.provide("addTwo") { data, response, requestor in
            Task { await seen.set(requestor) }
            response.send(.int((data?["numA"]?.intValue ?? 0) + (data?["numB"]?.intValue ?? 0)))
        }
        try await events.waitFor { if case .providerAcknowledged("addTwo", true, _) = $0 { true } else { false } }
        await peer.pushRaw(Self.requestWithRequestor, to: 1)
        try await events.waitForServed(.responded(data: "3"))
        try await events.waitForCount(1, "PING") { if case .frame(.outbound, .connection(let m)?, _, _) = $0 { m.action == .ping } else { false } }
        _ = try await peer.waitForMessage { $0 == .ping }
        _ = try await peer.waitForMessage {
            if case .rpc(let m) = $0 { m.action == .response && m.correlationId == "c1" } else { false }
        }

        let frames = await peer.rawFrames.map(\.bytes)
        #expect(frames.contains(Self.authEmpty))
        #expect(frames.contains(Self.provideAddTwo))
        #expect(frames.contains(Self.ping))
        let accept = try #require(frames.firstIndex(of: Self.acceptC1))
        let response = try #require(frames.firstIndex(of: Self.responseC1))
        #expect(accept < response)
        #expect(await seen.value == RequestorDetails(name: "userB", data: ["favorite color": "orange", "id": "userB"]))
        await engine.close()
        await peer.stop()
    }
}

private actor Box {
    var value: RequestorDetails?
    func set(_ value: RequestorDetails?) { self.value = value }
}
