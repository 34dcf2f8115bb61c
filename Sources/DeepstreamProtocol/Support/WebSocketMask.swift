/// The client-to-server masking of WebSocket payloads (RFC 6455 §5.3), eight bytes at a time: shared
/// by the broker (unmasking what it reads) and the proxy (unmasking a copy to observe it). Byte by
/// byte, as NIO's `unmaskedData` does it, this was the broker's top cost for 16 KiB payloads and about
/// a tenth of the proxy's forwarding loop for client frames.
package enum WebSocketMask {
    /// XORs `source` with the 4-byte `mask` into `target` (at least as long), starting `offset` bytes
    /// into the frame's payload: eight bytes per step with the mask repeated in a word.
    package static func apply(
        _ mask: (UInt8, UInt8, UInt8, UInt8), to source: UnsafeRawBufferPointer, into target: UnsafeMutableRawBufferPointer,
        offset: Int = 0
    ) {
        let count = source.count
        guard count > 0, let from = source.baseAddress, let to = target.baseAddress else { return }
        // The mask as it applies from this offset on, as bytes in memory order, repeated twice.
        var bytes = (mask.0, mask.1, mask.2, mask.3)
        let rotated: UInt32 = withUnsafeBytes(of: &bytes) { raw in
            var word: UInt32 = 0
            withUnsafeMutableBytes(of: &word) { out in
                for i in 0..<4 { out[i] = raw[(offset + i) & 3] }
            }
            return word
        }
        let wide = UInt64(rotated) | UInt64(rotated) << 32
        var index = 0
        while index + 8 <= count {
            let word = from.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            to.storeBytes(of: word ^ wide, toByteOffset: index, as: UInt64.self)
            index += 8
        }
        withUnsafeBytes(of: &bytes) { raw in
            while index < count {
                let m = raw[(offset + index) & 3]
                to.storeBytes(of: from.load(fromByteOffset: index, as: UInt8.self) ^ m, toByteOffset: index, as: UInt8.self)
                index += 1
            }
        }
    }
}
