/// One WebSocket message (or control frame) seen in a forwarded byte stream.
package struct ScannedMessage: Hashable, Sendable {
    /// What the first frame's opcode said.
    package enum Kind: Hashable, Sendable {
        /// Opcode 2.
        case binary
        /// Opcode 1.
        case text
        /// Opcode 8; the payload holds the status code and reason.
        case close
        /// Opcode 9.
        case ping
        /// Opcode 10.
        case pong
        /// A reserved opcode (3–7, 11–15) or a continuation without a start.
        case other(UInt8)
    }

    /// The message kind.
    package var kind: Kind
    /// The unmasked payload; `nil` when it was larger than the observation limit or compressed.
    package var payload: [UInt8]?
    /// Bytes the message took on the wire, headers of every fragment included.
    package var wireBytes: Int
    /// Whether RSV1 (permessage-deflate) was set: the payload is not the message.
    package var compressed: Bool

    /// Creates a scanned message.
    package init(kind: Kind, payload: [UInt8]?, wireBytes: Int, compressed: Bool = false) {
        self.kind = kind
        self.payload = payload
        self.wireBytes = wireBytes
        self.compressed = compressed
    }

    /// Status code and reason of a close frame (`nil` code when the frame has none).
    package var closeStatus: (code: UInt16?, reason: String) {
        guard kind == .close, let payload, payload.count >= 2 else { return (nil, "") }
        let code = UInt16(payload[0]) << 8 | UInt16(payload[1])
        return (code, String(decoding: payload[2...], as: UTF8.self))
    }
}

/// Follows one direction of a proxied connection and cuts it into WebSocket messages for observation
/// (pure; it sees a copy of what was already forwarded and never changes it).
///
/// Server to client, it first skips the HTTP response head and only starts reading frames after a
/// `101`. Fragmented messages are joined; control frames between fragments come out on their own.
/// Payloads beyond `observationLimit` are not kept (the message is still reported, without payload).
/// Bytes that cannot be frames switch the scanner off for the rest of the connection (`isLost`):
/// forwarding does not depend on it.
package struct FrameScanner: Sendable {
    /// Where in the stream the scanner is.
    package enum Mode: Hashable, Sendable {
        /// Waiting for the end of an HTTP response head (server to client, before the upgrade).
        case responseHead
        /// Reading WebSocket frames.
        case frames
        /// Plain HTTP or bytes that are not frames: nothing more is scanned.
        case opaque
    }

    /// The current mode.
    package private(set) var mode: Mode
    /// The status code of the response head, once seen.
    package private(set) var responseStatus: Int?
    /// Whether the stream stopped looking like WebSocket frames.
    package private(set) var isLost = false
    /// Whether a close frame has gone by.
    package private(set) var sawClose = false
    /// Largest payload kept for observation.
    package let observationLimit: Int

    private var headBytes: [UInt8] = []
    private var header: [UInt8] = []
    private var remaining: UInt64 = 0
    private var inPayload = false
    private var mask: (UInt8, UInt8, UInt8, UInt8)?
    private var maskOffset = 0
    private var frameOpcode: UInt8 = 0
    private var frameFin = true
    private var frameWire = 0
    private var frameKeep = true
    private var framePayload: [UInt8] = []
    // The fragmented data message being joined.
    private var messageKind: ScannedMessage.Kind?
    private var messagePayload: [UInt8] = []
    private var messageWire = 0
    private var messageKeep = true
    private var messageCompressed = false
    private var frameCompressed = false

    /// Creates a scanner starting in `mode`.
    package init(mode: Mode, observationLimit: Int = 1 << 20) {
        self.mode = mode
        self.observationLimit = observationLimit
    }

    /// Whether the stream is between two frames (a frame of our own could be inserted here).
    package var isAtFrameBoundary: Bool { mode == .frames && !inPayload && header.isEmpty && messageKind == nil }

    /// Whether the upgrade response has been seen (`101`).
    package var isUpgraded: Bool { responseStatus == 101 || (mode == .frames && responseStatus == nil) }

    /// Reads `bytes` and appends every message they complete to `messages`.
    package mutating func scan(_ bytes: UnsafeRawBufferPointer, into messages: inout [ScannedMessage]) {
        var index = 0
        let count = bytes.count
        while index < count {
            switch mode {
            case .opaque:
                return
            case .responseHead:
                headBytes.append(bytes[index])
                index += 1
                if headBytes.count > 16 * 1024 {
                    mode = .opaque
                    isLost = true
                } else if headBytes.count >= 4, headBytes.suffix(4).elementsEqual([13, 10, 13, 10]) {
                    let statusLine = headBytes.prefix { $0 != 13 }
                    let parts = statusLine.split(separator: 32)
                    responseStatus = parts.count >= 2 ? Int(String(decoding: parts[1], as: UTF8.self)) : nil
                    mode = responseStatus == 101 ? .frames : .opaque
                    headBytes = []
                }
            case .frames:
                if inPayload {
                    let take = Int(min(UInt64(count - index), remaining))
                    if frameKeep {
                        framePayload.reserveCapacity(framePayload.count + take)
                        if let mask {
                            for i in 0..<take {
                                let m: UInt8
                                switch (maskOffset + i) & 3 {
                                case 0: m = mask.0
                                case 1: m = mask.1
                                case 2: m = mask.2
                                default: m = mask.3
                                }
                                framePayload.append(bytes[index + i] ^ m)
                            }
                            maskOffset += take
                        } else {
                            framePayload.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[index..<(index + take)]))
                        }
                    }
                    index += take
                    remaining -= UInt64(take)
                    if remaining == 0 { finishFrame(into: &messages) }
                } else {
                    header.append(bytes[index])
                    index += 1
                    readHeaderIfComplete(into: &messages)
                }
            }
        }
    }

    private mutating func readHeaderIfComplete(into messages: inout [ScannedMessage]) {
        guard header.count >= 2 else { return }
        let masked = header[1] & 0x80 != 0
        let shortLength = header[1] & 0x7F
        let lengthBytes = shortLength == 126 ? 2 : shortLength == 127 ? 8 : 0
        let needed = 2 + lengthBytes + (masked ? 4 : 0)
        guard header.count >= needed else { return }
        var length = UInt64(shortLength)
        if lengthBytes > 0 {
            length = 0
            for i in 0..<lengthBytes { length = length << 8 | UInt64(header[2 + i]) }
        }
        let opcode = header[0] & 0x0F
        let isControl = opcode & 0x08 != 0
        if length >> 63 != 0 || (isControl && (length > 125 || header[0] & 0x80 == 0)) {
            mode = .opaque
            isLost = true
            return
        }
        frameOpcode = opcode
        frameFin = header[0] & 0x80 != 0
        frameCompressed = header[0] & 0x40 != 0
        mask = masked ? (header[needed - 4], header[needed - 3], header[needed - 2], header[needed - 1]) : nil
        maskOffset = 0
        frameWire = needed + Int(clamping: length)
        frameKeep = length <= UInt64(observationLimit)
        framePayload = []
        remaining = length
        header.removeAll(keepingCapacity: true)
        if remaining == 0 { finishFrame(into: &messages) } else { inPayload = true }
    }

    private mutating func finishFrame(into messages: inout [ScannedMessage]) {
        inPayload = false
        let payload = framePayload
        framePayload = []
        switch frameOpcode {
        case 8, 9, 10:
            let kind: ScannedMessage.Kind = frameOpcode == 8 ? .close : frameOpcode == 9 ? .ping : .pong
            if kind == .close { sawClose = true }
            messages.append(ScannedMessage(kind: kind, payload: payload, wireBytes: frameWire))
        case 0:
            guard let kind = messageKind else {
                messages.append(ScannedMessage(kind: .other(0), payload: frameKeep ? payload : nil, wireBytes: frameWire))
                return
            }
            messageWire += frameWire
            appendToMessage(payload)
            if frameFin {
                messages.append(ScannedMessage(
                    kind: kind, payload: messageKeep && !messageCompressed ? messagePayload : nil,
                    wireBytes: messageWire, compressed: messageCompressed))
                messageKind = nil
                messagePayload = []
            }
        case 1, 2:
            let kind: ScannedMessage.Kind = frameOpcode == 1 ? .text : .binary
            if frameFin {
                messages.append(ScannedMessage(
                    kind: kind, payload: frameKeep && !frameCompressed ? payload : nil, wireBytes: frameWire,
                    compressed: frameCompressed))
            } else {
                messageKind = kind
                messagePayload = []
                messageWire = frameWire
                messageKeep = true
                messageCompressed = frameCompressed
                appendToMessage(payload)
            }
        default:
            messages.append(ScannedMessage(kind: .other(frameOpcode), payload: frameKeep ? payload : nil, wireBytes: frameWire))
        }
    }

    private mutating func appendToMessage(_ payload: [UInt8]) {
        guard messageKeep, frameKeep, messagePayload.count + payload.count <= observationLimit else {
            messageKeep = false
            messagePayload = []
            return
        }
        messagePayload.append(contentsOf: payload)
    }
}
