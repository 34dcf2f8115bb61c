import DeepstreamProtocol
import NIOCore
import NIOWebSocket

/// Unmasking a client's frame eight bytes at a time (``WebSocketMask``; NIO's `unmaskedData` goes byte by
/// byte), for the peer handler and the fragment assembler.
extension WebSocketFrame {
    /// Appends the payload with the client's mask removed to `output`.
    func unmaskPayload(appendingTo output: inout ByteBuffer) {
        let count = data.readableBytes
        let key = maskBytes
        data.withUnsafeReadableBytes { source in
            output.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { target in
                WebSocketMask.apply(key, to: source, into: target)
                return count
            }
        }
    }

    /// Writes the payload with the client's mask removed to the start of `output`, which must hold at
    /// least `data.readableBytes` bytes.
    func unmaskPayload(into output: inout [UInt8]) {
        precondition(output.count >= data.readableBytes, "unmask buffer too small")
        let key = maskBytes
        data.withUnsafeReadableBytes { source in
            output.withUnsafeMutableBytes { WebSocketMask.apply(key, to: source, into: $0) }
        }
    }

    /// The masking key as four bytes (zeros, which change nothing, for an unmasked frame).
    private var maskBytes: (UInt8, UInt8, UInt8, UInt8) {
        guard let key = maskKey else { return (0, 0, 0, 0) }
        return (key[0], key[1], key[2], key[3])
    }
}
