@testable import DeepstreamBroker
import DeepstreamProtocol
import NIOCore
import NIOWebSocket
import Testing

@Suite("Fast WebSocket unmasking")
struct UnmaskTests {
    @Test("Matches NIO's unmaskedData for every length 0…40 and a large frame")
    func unmask() {
        var random = SplitMix64(seed: 5)
        for length in Array(0...40) + [16_389] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
            let key = WebSocketMaskingKey([1, 2, 3, 4].map { _ in UInt8.random(in: 0...255, using: &random) })!
            var masked = ByteBuffer(bytes: bytes)
            masked.webSocketMask(key)
            let frame = WebSocketFrame(fin: true, opcode: .binary, maskKey: key, data: masked)
            var appended = ByteBuffer()
            frame.unmaskPayload(appendingTo: &appended)
            #expect(Array(appended.readableBytesView) == bytes)
            var array = [UInt8](repeating: 0, count: length)
            frame.unmaskPayload(into: &array)
            #expect(array == bytes)
            #expect(frame.unmaskedData == ByteBuffer(bytes: bytes))
        }
    }
}
