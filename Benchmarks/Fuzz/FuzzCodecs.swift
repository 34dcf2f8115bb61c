// libFuzzer entry point for the ws-binary and ws-json decoders. Built by run.sh together with the
// DeepstreamProtocol sources (one module, so no import), never by `swift build`.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCodecs(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: start, count: count))
    let binary = BinaryCodec(maximumMessageSize: 1 << 16)
    if let message = try? binary.decode(bytes) {
        // Anything that decodes must survive a round trip unchanged.
        guard (try? binary.decode(binary.encode(message))) == message else { fatalError("binary round trip changed \(message)") }
    }
    let json = JSONCodec(maximumMessageSize: 1 << 16)
    // `.other` keeps the original object's text, which re-encoding normalises, so only typed messages
    // must come back equal.
    if let message = try? json.decode(bytes), message.topic.isModelled {
        guard (try? json.decode(json.encode(message))) == message else { fatalError("json round trip changed \(message)") }
    }
    return 0
}
