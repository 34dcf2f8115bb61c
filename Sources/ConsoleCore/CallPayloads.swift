/// A call's variable-length bytes in one allocation: the correlation id's UTF-8 bytes, then the
/// request's, then the response's, with the three lengths in the allocation's header (``CallBytes``).
/// Three Strings would cost up to three allocations with a 32-byte header each, and an array plus
/// inline lengths 20 bytes in every record instead of 8.
///
/// Reading decodes a new String (the detail view, export, filter text, resend); recording reads
/// nothing. Lengths are 32-bit: the broker's and the proxy's frame limits keep a payload far below
/// 2 GiB, and a longer one would be cut at 2 GiB rather than crash.
struct CallPayloads: Hashable, Sendable {
    // `nonisolated(unsafe)` because `ManagedBuffer` is explicitly not `Sendable`. Safe: a `CallBytes`
    // is written only inside `CallBytes.make`, before its reference escapes, and only read afterwards
    // (every change here stores a new instance), so sharing it between tasks shares immutable bytes.
    nonisolated(unsafe) private var storage: CallBytes

    /// Bytes holding `correlationId` and no payloads.
    init(correlationId: String) {
        var id = correlationId
        storage = id.withUTF8 { CallBytes.make(id: $0, request: nil, response: nil) }
    }

    private var lengths: CallBytes.Lengths { storage.header }

    /// The correlation id.
    var correlationId: String { storage.withBytes(0, Int(lengths.id)) { String(decoding: $0, as: UTF8.self) } }

    /// Whether the correlation id is `id` (no String is built).
    func hasCorrelationId(_ id: String) -> Bool {
        var id = id
        return id.withUTF8 { wanted in storage.withBytes(0, Int(lengths.id)) { $0.elementsEqual(wanted) } }
    }

    /// The request's JSON text.
    var request: String? {
        let lengths = lengths
        guard lengths.request >= 0 else { return nil }
        return storage.withBytes(Int(lengths.id), Int(lengths.request)) { String(decoding: $0, as: UTF8.self) }
    }

    /// The response's JSON text.
    var response: String? {
        let lengths = lengths
        guard lengths.response >= 0 else { return nil }
        return storage.withBytes(lengths.responseStart, Int(lengths.response)) { String(decoding: $0, as: UTF8.self) }
    }

    /// The request's size in bytes, nil without one.
    var requestByteCount: Int? { lengths.request < 0 ? nil : Int(lengths.request) }

    /// The response's size in bytes, nil without one.
    var responseByteCount: Int? { lengths.response < 0 ? nil : Int(lengths.response) }

    /// Replaces the request payload.
    mutating func setRequest(_ text: String?) {
        let old = storage
        let lengths = old.header
        storage = Self.withBytes(of: text) { request in
            old.withBytes(0, Int(lengths.id)) { id in
                old.withBytes(lengths.responseStart, max(0, Int(lengths.response))) { response in
                    CallBytes.make(id: id, request: request, response: lengths.response < 0 ? nil : response)
                }
            }
        }
    }

    /// Replaces the response payload.
    mutating func setResponse(_ text: String?) {
        let old = storage
        let lengths = old.header
        storage = Self.withBytes(of: text) { response in
            old.withBytes(0, Int(lengths.id)) { id in
                old.withBytes(Int(lengths.id), max(0, Int(lengths.request))) { request in
                    CallBytes.make(id: id, request: lengths.request < 0 ? nil : request, response: response)
                }
            }
        }
    }

    private static func withBytes<R>(of text: String?, _ body: (UnsafeBufferPointer<UInt8>?) -> R) -> R {
        guard var text else { return body(nil) }
        return text.withUTF8 { body($0) }
    }

    static func == (lhs: CallPayloads, rhs: CallPayloads) -> Bool {
        lhs.storage === rhs.storage || lhs.storage.isEqual(to: rhs.storage)
    }

    func hash(into hasher: inout Hasher) {
        storage.hash(into: &hasher)
    }
}

/// The immutable storage of ``CallPayloads``: the three lengths in the header, the bytes in the tail.
/// Written only inside ``make(id:request:response:)``, before the reference escapes; read-only after.
final class CallBytes: ManagedBuffer<CallBytes.Lengths, UInt8> {
    /// The lengths of the id, the request and the response (-1: no such payload).
    struct Lengths {
        var id: Int32
        var request: Int32
        var response: Int32

        /// Where the response starts.
        var responseStart: Int { Int(id) + max(0, Int(request)) }
        /// How many bytes there are.
        var total: Int { responseStart + max(0, Int(response)) }
    }

    /// A new instance holding copies of the bytes given (each cut at 2 GiB).
    static func make(
        id: UnsafeBufferPointer<UInt8>, request: UnsafeBufferPointer<UInt8>?, response: UnsafeBufferPointer<UInt8>?
    ) -> CallBytes {
        func clamped(_ bytes: UnsafeBufferPointer<UInt8>?) -> Int32 { bytes.map { Int32(min($0.count, Int(Int32.max))) } ?? -1 }
        let lengths = Lengths(id: clamped(id), request: clamped(request), response: clamped(response))
        let buffer = create(minimumCapacity: lengths.total) { _ in lengths }
        // `create` allocates an instance of the class it is called on.
        let bytes = unsafeDowncast(buffer, to: CallBytes.self)
        bytes.withUnsafeMutablePointerToElements { elements in
            var next = elements
            func copy(_ part: UnsafeBufferPointer<UInt8>?, _ count: Int32) {
                guard let part, let base = part.baseAddress, count > 0 else { return }
                next.initialize(from: base, count: Int(count))
                next += Int(count)
            }
            copy(id, lengths.id)
            copy(request, lengths.request)
            copy(response, lengths.response)
        }
        return bytes
    }

    /// Calls `body` with `count` bytes from `start`.
    func withBytes<R>(_ start: Int, _ count: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        withUnsafeMutablePointerToElements { body(UnsafeBufferPointer(start: $0 + start, count: count)) }
    }

    /// Whether `other` holds the same lengths and bytes.
    func isEqual(to other: CallBytes) -> Bool {
        let lengths = header
        let otherLengths = other.header
        guard lengths.id == otherLengths.id, lengths.request == otherLengths.request, lengths.response == otherLengths.response
        else { return false }
        return withBytes(0, lengths.total) { mine in other.withBytes(0, lengths.total) { mine.elementsEqual($0) } }
    }

    /// Hashes the lengths and bytes.
    func hash(into hasher: inout Hasher) {
        let lengths = header
        hasher.combine(lengths.id)
        hasher.combine(lengths.request)
        hasher.combine(lengths.response)
        withBytes(0, lengths.total) { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}
