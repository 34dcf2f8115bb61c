/// One WebSocket frame cut out of a forwarded stream, with its bytes exactly as they arrived.
package struct CutFrame: Hashable, Sendable {
    /// The frame's wire bytes (header, mask key, masked payload).
    package var raw: [UInt8]
    /// The opcode (low four bits of the first byte).
    package var opcode: UInt8
    /// Whether FIN is set.
    package var isFinal: Bool
    /// Whether RSV1 (permessage-deflate) is set.
    package var isCompressed: Bool
    /// The unmasked payload.
    package var payload: [UInt8]
}

/// Cuts one direction of a proxied WebSocket stream into whole frames, for steering (pure). Only used
/// when steering rules are loaded: the proxy then forwards whole frames, so frames it makes itself go
/// between frames, never inside one. The server's HTTP response head (upstream direction) and anything
/// after a frame over ``frameLimit`` or after bytes that are not frames pass through as raw bytes, and
/// steering stops for that direction.
package struct FrameCutter: Sendable {
    /// A piece of the stream: raw bytes to forward as they are, or a whole frame.
    package enum Piece: Hashable, Sendable {
        /// Bytes to forward untouched (the response head, or everything once the cutter gave up).
        case raw([UInt8])
        /// A whole frame.
        case frame(CutFrame)
    }

    private enum Mode { case responseHead, frames, passthrough }

    /// The largest frame (header included) the cutter buffers; a larger one switches it to passthrough.
    package let frameLimit: Int
    private var mode: Mode
    private var buffer: [UInt8] = []

    /// Creates a cutter; `expectingResponseHead` for the server→client direction (the `101` head comes
    /// first).
    package init(expectingResponseHead: Bool, frameLimit: Int = 16 * 1_048_576) {
        mode = expectingResponseHead ? .responseHead : .frames
        self.frameLimit = frameLimit
    }

    /// Whether frames are still being cut (false once the stream is passed through as raw bytes).
    package var isCutting: Bool { mode != .passthrough }

    /// Bytes held back because they do not yet make a whole frame.
    package var bufferedCount: Int { buffer.count }

    /// Adds bytes that arrived and returns the pieces now complete, in order.
    package mutating func cut(_ bytes: some Collection<UInt8>) -> [Piece] {
        if mode == .passthrough { return bytes.isEmpty ? [] : [.raw(Array(bytes))] }
        buffer.append(contentsOf: bytes)
        var pieces: [Piece] = []
        if mode == .responseHead {
            guard let end = Self.headEnd(in: buffer) else {
                if buffer.count > 64 * 1024 { giveUp(into: &pieces) }
                return pieces
            }
            let head = Array(buffer[..<end])
            buffer.removeFirst(end)
            pieces.append(.raw(head))
            // Only a `101 Switching Protocols` is followed by frames.
            if head.count > 12, head[9] == UInt8(ascii: "1"), head[10] == UInt8(ascii: "0"), head[11] == UInt8(ascii: "1") {
                mode = .frames
            } else {
                giveUp(into: &pieces)
                return pieces
            }
        }
        var start = 0
        while let frame = frame(at: start) {
            pieces.append(.frame(frame))
            start += frame.raw.count
            if mode == .passthrough { break }
        }
        if start > 0 { buffer.removeFirst(start) }
        if mode == .passthrough {
            giveUp(into: &pieces)
        } else if buffer.count > frameLimit {
            giveUp(into: &pieces)
        }
        return pieces
    }

    private mutating func giveUp(into pieces: inout [Piece]) {
        mode = .passthrough
        if !buffer.isEmpty { pieces.append(.raw(buffer)) }
        buffer = []
    }

    /// The frame starting at `start`, if it is complete.
    private mutating func frame(at start: Int) -> CutFrame? {
        let available = buffer.count - start
        guard available >= 2 else { return nil }
        let first = buffer[start], second = buffer[start + 1]
        var length = UInt64(second & 0x7F)
        var offset = 2
        if length == 126 {
            guard available >= 4 else { return nil }
            length = UInt64(buffer[start + 2]) << 8 | UInt64(buffer[start + 3])
            offset = 4
        } else if length == 127 {
            guard available >= 10 else { return nil }
            length = 0
            for index in 0..<8 { length = length << 8 | UInt64(buffer[start + 2 + index]) }
            offset = 10
        }
        let masked = second & 0x80 != 0
        let headerSize = offset + (masked ? 4 : 0)
        guard length <= UInt64(frameLimit) else {
            mode = .passthrough
            return nil
        }
        let total = headerSize + Int(length)
        guard available >= total else { return nil }
        var payload = Array(buffer[(start + headerSize)..<(start + total)])
        if masked {
            let key = buffer[(start + offset)..<(start + offset + 4)].map { $0 }
            for index in payload.indices { payload[index] ^= key[index & 3] }
        }
        return CutFrame(
            raw: Array(buffer[start..<(start + total)]), opcode: first & 0x0F, isFinal: first & 0x80 != 0,
            isCompressed: first & 0x40 != 0, payload: payload)
    }

    private static func headEnd(in bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 3..<bytes.count
        where bytes[index] == 10 && bytes[index - 1] == 13 && bytes[index - 2] == 10 && bytes[index - 3] == 13 {
            return index + 1
        }
        return nil
    }

    /// A final binary frame (or, with `opcode` 1, text frame) carrying `payload`: masked with `maskKey`
    /// (client→server frames must be masked), unmasked without one (server→client).
    package static func binaryFrame(_ payload: [UInt8], maskKey: (UInt8, UInt8, UInt8, UInt8)?, opcode: UInt8 = 2) -> [UInt8] {
        var frame: [UInt8] = [0x80 | (opcode & 0x0F)]
        let maskBit: UInt8 = maskKey == nil ? 0 : 0x80
        if payload.count < 126 {
            frame.append(maskBit | UInt8(payload.count))
        } else if payload.count <= 0xFFFF {
            frame += [maskBit | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        } else {
            frame.append(maskBit | 127)
            for shift in stride(from: 56, through: 0, by: -8) { frame.append(UInt8((UInt64(payload.count) >> UInt64(shift)) & 0xFF)) }
        }
        guard let maskKey else { return frame + payload }
        let key = [maskKey.0, maskKey.1, maskKey.2, maskKey.3]
        frame += key
        frame.reserveCapacity(frame.count + payload.count)
        for (index, byte) in payload.enumerated() { frame.append(byte ^ key[index & 3]) }
        return frame
    }
}
