import DeepstreamProtocol
import Testing

@Suite("WebSocket masking")
struct WebSocketMaskTests {
    @Test("unmasking eight bytes at a time equals the byte-by-byte definition at every offset and length")
    func unmask() {
        let mask: (UInt8, UInt8, UInt8, UInt8) = (0x12, 0xA5, 0x0F, 0xF0)
        let maskBytes = [mask.0, mask.1, mask.2, mask.3]
        let source = (0..<77).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 5) }
        for offset in 0..<9 {
            for length in [0, 1, 3, 7, 8, 9, 15, 16, 17, 31, 64, 77] {
                var target = [UInt8](repeating: 0, count: length)
                source.withUnsafeBytes { from in
                    target.withUnsafeMutableBytes { to in
                        WebSocketMask.apply(mask, to: UnsafeRawBufferPointer(rebasing: from[0..<length]), into: to, offset: offset)
                    }
                }
                let expected = (0..<length).map { source[$0] ^ maskBytes[($0 + offset) & 3] }
                #expect(target == expected, "offset \(offset), length \(length)")
            }
        }
    }
}
