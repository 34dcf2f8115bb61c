/// A call's variable-length bytes in one allocation: the correlation id's UTF-8 bytes, then the
/// request's, then the response's, with the three lengths in the allocation's header (``CallBytes``).
/// Three Strings would cost up to three allocations with a 32-byte header each, and an array plus
/// inline lengths 20 bytes in every record instead of 8.
///
/// Reading decodes a new String (the detail view, export, filter text, resend); recording reads
/// nothing. The log's payload memory budget can *release* a payload (``release(request:response:)``):
/// its bytes are dropped but its length stays, with a flag in the header, so the row still shows the
/// size and every reader can say "not kept" instead of "no payload" (decision 62). Lengths are 32-bit: the broker's and the proxy's frame limits keep a payload far below
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

    /// The request's JSON text (nil without one, or when released).
    var request: String? {
        let lengths = lengths
        guard lengths.request >= 0, !lengths.isRequestReleased else { return nil }
        return storage.withBytes(Int(lengths.id), Int(lengths.request)) { String(decoding: $0, as: UTF8.self) }
    }

    /// The response's JSON text (nil without one, or when released).
    var response: String? {
        let lengths = lengths
        guard lengths.response >= 0, !lengths.isResponseReleased else { return nil }
        return storage.withBytes(lengths.responseStart, Int(lengths.response)) { String(decoding: $0, as: UTF8.self) }
    }

    /// The request's size in bytes, nil without one.
    var requestByteCount: Int? { lengths.request < 0 ? nil : Int(lengths.request) }

    /// The response's size in bytes, nil without one.
    var responseByteCount: Int? { lengths.response < 0 ? nil : Int(lengths.response) }

    /// Whether the request was seen but its bytes were released (the memory budget).
    var isRequestReleased: Bool { lengths.isRequestReleased }

    /// Whether the response was seen but its bytes were released (the memory budget).
    var isResponseReleased: Bool { lengths.isResponseReleased }

    /// Whether the log's budget has released a payload of this call before (then the call is already
    /// in its count, even if a new payload replaced the released one since).
    var wasCountedAsReleased: Bool { lengths.released & CallBytes.Lengths.countedFlag != 0 }

    /// The payload bytes held (released ones and the correlation id not counted).
    var heldPayloadBytes: Int { lengths.storedRequest + lengths.storedResponse }

    /// The request's held bytes (0 without one or when released).
    var heldRequestBytes: Int { lengths.storedRequest }

    /// The response's held bytes (0 without one or when released).
    var heldResponseBytes: Int { lengths.storedResponse }

    /// Replaces the request payload (a released request is held again; the response keeps its state).
    mutating func setRequest(_ text: String?) {
        rebuild(request: .text(text), response: .unchanged)
    }

    /// Replaces the response payload (a released response is held again; the request keeps its state).
    mutating func setResponse(_ text: String?) {
        rebuild(request: .unchanged, response: .text(text))
    }

    /// Drops the bytes of the request and/or the response, keeping their lengths and a released
    /// flag, and marks the call as counted by the budget; returns how many payload bytes were freed
    /// (0 when there was nothing to release).
    @discardableResult
    mutating func release(request: Bool, response: Bool) -> Int {
        let lengths = storage.header
        let request = request && lengths.storedRequest > 0
        let response = response && lengths.storedResponse > 0
        guard request || response else { return 0 }
        return rebuild(
            request: request ? .notKept(length: lengths.request) : .unchanged,
            response: response ? .notKept(length: lengths.response) : .unchanged, counted: true)
    }

    /// Marks the request and/or the response (those given) as seen but not kept, with the size given
    /// (a recording's `notKept`: the console that wrote it had released them); bytes held for them
    /// are dropped. Returns the payload bytes freed.
    @discardableResult
    mutating func markNotKept(request: Int?, response: Int?) -> Int {
        guard request != nil || response != nil else { return 0 }
        return rebuild(
            request: request.map { .notKept(length: Int32(clamping: max(0, $0))) } ?? .unchanged,
            response: response.map { .notKept(length: Int32(clamping: max(0, $0))) } ?? .unchanged)
    }

    /// What a rebuilt buffer holds for one payload.
    private enum Part {
        /// What the old buffer has (bytes, length and released flag).
        case unchanged
        /// New text, held (nil: no such payload).
        case text(String?)
        /// Seen but not held, `length` bytes long.
        case notKept(length: Int32)
    }

    /// Replaces the buffer by one with the same correlation id and the given parts; with `counted`
    /// the call is marked as counted by the log's budget (the mark is never cleared). Returns the
    /// payload bytes freed (negative when more are held now).
    @discardableResult
    private mutating func rebuild(request: Part, response: Part, counted: Bool = false) -> Int {
        let old = storage
        let lengths = old.header
        let heldBefore = heldPayloadBytes
        /// Calls `body` with the part's bytes to store (nil: none), its length and whether it is released.
        func withPart<R>(
            _ part: Part, at start: Int, stored: Int, length: Int32, flag: UInt8,
            _ body: (UnsafeBufferPointer<UInt8>?, Int32, Bool) -> R
        ) -> R {
            switch part {
            case .unchanged:
                let released = lengths.released & flag != 0
                return old.withBytes(start, stored) { body(length < 0 || released ? nil : $0, length, released) }
            case .text(let text):
                return Self.withBytes(of: text) { body($0, -1, false) }
            case .notKept(let length):
                return body(nil, length, true)
            }
        }
        storage = old.withBytes(0, Int(lengths.id)) { id in
            withPart(
                request, at: Int(lengths.id), stored: lengths.storedRequest, length: lengths.request,
                flag: CallBytes.Lengths.requestFlag
            ) { requestBytes, requestLength, requestReleased in
                withPart(
                    response, at: lengths.responseStart, stored: lengths.storedResponse, length: lengths.response,
                    flag: CallBytes.Lengths.responseFlag
                ) { responseBytes, responseLength, responseReleased in
                    var released = lengths.released & CallBytes.Lengths.countedFlag
                    if counted { released |= CallBytes.Lengths.countedFlag }
                    if requestReleased { released |= CallBytes.Lengths.requestFlag }
                    if responseReleased { released |= CallBytes.Lengths.responseFlag }
                    return CallBytes.make(
                        id: id, request: requestBytes, response: responseBytes, requestLength: requestLength,
                        responseLength: responseLength, released: released)
                }
            }
        }
        return heldBefore - heldPayloadBytes
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
    /// The lengths of the id, the request and the response (-1: no such payload), and which payloads
    /// were released (seen, length kept, bytes not stored).
    struct Lengths {
        var id: Int32
        var request: Int32
        var response: Int32
        /// ``requestFlag`` / ``responseFlag``: that payload's bytes are not stored; ``countedFlag``:
        /// the log's budget has counted this call.
        var released: UInt8 = 0

        static let requestFlag: UInt8 = 1
        static let responseFlag: UInt8 = 2
        /// Set with the first release by the log's budget and never cleared: the call is counted once.
        static let countedFlag: UInt8 = 4

        var isRequestReleased: Bool { released & Self.requestFlag != 0 }
        var isResponseReleased: Bool { released & Self.responseFlag != 0 }
        /// The request's stored bytes.
        var storedRequest: Int { isRequestReleased ? 0 : max(0, Int(request)) }
        /// The response's stored bytes.
        var storedResponse: Int { isResponseReleased ? 0 : max(0, Int(response)) }
        /// Where the response starts.
        var responseStart: Int { Int(id) + storedRequest }
        /// How many bytes there are.
        var total: Int { responseStart + storedResponse }
    }

    /// A new instance holding copies of the bytes given (each cut at 2 GiB). A payload whose flag is
    /// in `released` is passed as nil and keeps the length given (`requestLength` / `responseLength`).
    static func make(
        id: UnsafeBufferPointer<UInt8>, request: UnsafeBufferPointer<UInt8>?, response: UnsafeBufferPointer<UInt8>?,
        requestLength: Int32 = -1, responseLength: Int32 = -1, released: UInt8 = 0
    ) -> CallBytes {
        func clamped(_ bytes: UnsafeBufferPointer<UInt8>?) -> Int32 { bytes.map { Int32(min($0.count, Int(Int32.max))) } ?? -1 }
        let lengths = Lengths(
            id: clamped(id),
            request: released & Lengths.requestFlag != 0 ? requestLength : clamped(request),
            response: released & Lengths.responseFlag != 0 ? responseLength : clamped(response),
            released: released)
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
            copy(request, Int32(lengths.storedRequest))
            copy(response, Int32(lengths.storedResponse))
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
        guard lengths.id == otherLengths.id, lengths.request == otherLengths.request, lengths.response == otherLengths.response,
            lengths.released == otherLengths.released
        else { return false }
        return withBytes(0, lengths.total) { mine in other.withBytes(0, lengths.total) { mine.elementsEqual($0) } }
    }

    /// Hashes the lengths and bytes.
    func hash(into hasher: inout Hasher) {
        let lengths = header
        hasher.combine(lengths.id)
        hasher.combine(lengths.request)
        hasher.combine(lengths.response)
        hasher.combine(lengths.released)
        withBytes(0, lengths.total) { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}
