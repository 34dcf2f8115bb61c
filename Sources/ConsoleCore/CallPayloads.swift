/// A call's variable-length bytes in one allocation: the correlation id's UTF-8 bytes, then the
/// request's, then the response's. Three Strings would cost up to three allocations with a 32-byte
/// header each; the lengths live inline (4 bytes each).
///
/// Reading decodes a new String (the detail view, export, filter text, resend); recording reads
/// nothing. Lengths are 32-bit: the broker's and the proxy's frame limits keep a payload far below
/// 2 GiB, and a longer one would be cut at 2 GiB rather than crash.
struct CallPayloads: Hashable, Sendable {
    private var bytes: [UInt8]
    private var idCount: Int32
    /// The request's length in bytes; -1: no request payload.
    private var requestCount: Int32 = -1
    /// The response's length in bytes; -1: no response payload.
    private var responseCount: Int32 = -1

    /// Bytes holding `correlationId` and no payloads.
    init(correlationId: String) {
        let count = min(correlationId.utf8.count, Int(Int32.max))
        bytes = []
        bytes.reserveCapacity(count)
        bytes.append(contentsOf: correlationId.utf8.prefix(count))
        idCount = Int32(count)
    }

    private var requestStart: Int { Int(idCount) }
    private var responseStart: Int { Int(idCount) + max(0, Int(requestCount)) }

    /// The correlation id.
    var correlationId: String { String(decoding: bytes[0..<Int(idCount)], as: UTF8.self) }

    /// Whether the correlation id is `id` (no String is built).
    func hasCorrelationId(_ id: String) -> Bool {
        var id = id
        return id.withUTF8 { $0.elementsEqual(bytes[0..<Int(idCount)]) }
    }

    /// The request's JSON text.
    var request: String? {
        requestCount < 0 ? nil : String(decoding: bytes[requestStart..<requestStart + Int(requestCount)], as: UTF8.self)
    }

    /// The response's JSON text.
    var response: String? {
        responseCount < 0 ? nil : String(decoding: bytes[responseStart...], as: UTF8.self)
    }

    /// The request's size in bytes, nil without one.
    var requestByteCount: Int? { requestCount < 0 ? nil : Int(requestCount) }

    /// The response's size in bytes, nil without one.
    var responseByteCount: Int? { responseCount < 0 ? nil : Int(responseCount) }

    /// Replaces the request payload.
    mutating func setRequest(_ text: String?) {
        let count = text.map { min($0.utf8.count, Int(Int32.max)) }
        var new: [UInt8] = []
        new.reserveCapacity(bytes.count - max(0, Int(requestCount)) + (count ?? 0))
        new.append(contentsOf: bytes[0..<requestStart])
        if let text, let count { new.append(contentsOf: text.utf8.prefix(count)) }
        new.append(contentsOf: bytes[responseStart...])
        requestCount = count.map { Int32($0) } ?? -1
        bytes = new
    }

    /// Replaces the response payload.
    mutating func setResponse(_ text: String?) {
        let kept = responseStart
        let count = text.map { min($0.utf8.count, Int(Int32.max)) }
        var new: [UInt8] = []
        new.reserveCapacity(kept + (count ?? 0))
        new.append(contentsOf: bytes[0..<kept])
        if let text, let count { new.append(contentsOf: text.utf8.prefix(count)) }
        responseCount = count.map { Int32($0) } ?? -1
        bytes = new
    }
}
